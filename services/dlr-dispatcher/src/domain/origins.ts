/**
 * Per-origin isolation (pure state, the scheduler owns the clock): at most `concurrency`
 * attempts in flight to one origin (the isolation key: the endpoint, `domain/endpoint.ts`),
 * more for one that keeps every slot busy and answers fast (up to `maxConcurrency`: a busy
 * endpoint's throughput is its slots ÷ its latency, and 32 slots at 100 ms are 320 reports a
 * second, less than one customer's 500 messages a second report), and an origin that
 * is down (timeouts, connection errors, 5xx, 429) backs off as a whole — its other reports
 * wait instead of each burning a timeout — while every other origin carries on. After a
 * back-off one probe attempt goes first; the full share returns once one succeeds. An origin
 * whose attempts are slow (longer than the scheduler's budget) gets a few slots only, and the
 * slow origins together at most `slowTotal`: they can never hold every slot.
 */
export interface OriginLimits {
  /** Attempts in flight to one origin at most, until it has shown it takes more. */
  concurrency: number;
  /**
   * Attempts in flight to one origin at most, ever (default: `concurrency`, no growth). An
   * origin whose attempt ends within `growWithinMs` while all its slots were busy gets one
   * more slot (each round of its slots can double them, as TCP's slow start); one that
   * answers slower gives a quarter back, once per round of its slots (as TCP shrinks once a
   * window); one that fails or turns slow starts over at `concurrency`.
   */
  maxConcurrency?: number;
  /** An attempt that ended within this while its origin was full earns it a slot (default 500 ms). */
  growWithinMs?: number;
  /** Longest back-off of an origin. */
  capMs: number;
  /** Attempts in flight to a slow origin at most (default: an eighth of `concurrency`, at least 1). */
  slowShare?: number;
  /** Attempts in flight to all slow origins together at most (default: no limit). */
  slowTotal?: number;
}

interface OriginState {
  inFlight: number;
  /** Attempts it may have in flight when healthy: `concurrency`, grown while it keeps up. */
  limit: number;
  failures: number;
  blockedUntil: number;
  /** Backed off and not answered since: one attempt at a time. */
  probing: boolean;
  /** Its last attempt took longer than the budget: `slowShare` slots. */
  slow: boolean;
  /** When its last attempt ended (ms): a grown origin idle for a while is forgotten. */
  lastEnded: number;
  /**
   * Attempts still to end before its slots may grow or shrink again: those in flight when
   * they were last cut, which ran under the larger share (TCP cuts once a window, not a packet).
   */
  cutHold: number;
}

/** How an attempt ended, as far as its origin is concerned. */
export interface AttemptEnd {
  /** The origin failed (down, overloaded, unreachable): it backs off. */
  failed: boolean;
  now: number;
  /** Jitter draw in [0, 1). */
  random?: number;
  /** The receiver's Retry-After: a failure backs off at least that long (up to the cap). */
  retryAfterMs?: number;
  /** The attempt took longer than the budget: the origin is slow until one ends within it. */
  slow?: boolean;
  /** How long the attempt took (ms): what the origin's slots grow or shrink by. */
  latencyMs?: number;
}

export interface OriginBook {
  /** Attempts this origin may start now: 0 while full or backing off. */
  freeSlots(origin: string, now: number): number;
  /** The origins that cannot take their full share now, with what they can take (the claim query's input). */
  limited(now: number): { origins: string[]; free: number[] };
  /** Attempts in flight to this origin, whether it is backing off, and how many it may run at once now. */
  inspect(origin: string, now: number): { inFlight: number; blocked: boolean; share: number };
  started(origin: string): void;
  /** Records how an attempt ended; returns the back-off end when this failure started (or extended) one. */
  finished(origin: string, end: AttemptEnd): number | null;
  readonly size: number;
}

/** Per round of attempts that answered slower than `growWithinMs`, the share of its slots an origin keeps. */
const SHRINK = 0.75;
/** A grown origin with nothing in flight this long starts over at `concurrency`. */
const GROWN_IDLE_MS = 60_000;

export function createOriginBook(limits: OriginLimits): OriginBook {
  const maxConcurrency = Math.max(limits.concurrency, limits.maxConcurrency ?? limits.concurrency);
  const growWithinMs = limits.growWithinMs ?? 500;
  const slowShare = limits.slowShare ?? Math.max(1, Math.floor(limits.concurrency / 8));
  const slowTotal = limits.slowTotal ?? Number.POSITIVE_INFINITY;
  const states = new Map<string, OriginState>();
  /** Attempts in flight to slow origins. */
  let slowInFlight = 0;
  const stateOf = (origin: string) => {
    let state = states.get(origin);
    if (!state) {
      state = {
        inFlight: 0,
        limit: limits.concurrency,
        failures: 0,
        blockedUntil: 0,
        probing: false,
        slow: false,
        lastEnded: 0,
        cutHold: 0,
      };
      states.set(origin, state);
    }
    return state;
  };
  const share = (state: OriginState, now: number) => {
    if (state.blockedUntil > now) return 0;
    if (state.probing) return 1;
    return state.slow ? slowShare : state.limit;
  };
  const free = (state: OriginState, now: number) => {
    const own = share(state, now) - state.inFlight;
    return Math.max(0, state.slow ? Math.min(own, slowTotal - slowInFlight) : own);
  };
  const forgettable = (state: OriginState) =>
    state.inFlight === 0 &&
    state.failures === 0 &&
    !state.slow &&
    state.limit === limits.concurrency;
  /** Cuts its slots to `limit`; the attempts in flight then must end before the next change. */
  const cut = (state: OriginState, limit: number) => {
    if (limit >= state.limit) return;
    state.limit = limit;
    state.cutHold = state.inFlight;
  };
  const setSlow = (state: OriginState, slow: boolean) => {
    if (state.slow === slow) return;
    state.slow = slow;
    slowInFlight += slow ? state.inFlight : -state.inFlight;
    // A slow origin starts over: it does not come back from slow with the slots it had grown.
    if (slow) cut(state, limits.concurrency);
  };

  return {
    freeSlots(origin, now) {
      const state = states.get(origin);
      return state ? free(state, now) : limits.concurrency;
    },
    limited(now) {
      const origins: string[] = [];
      const slots: number[] = [];
      for (const [origin, state] of states) {
        if (state.inFlight === 0 && now - state.lastEnded > GROWN_IDLE_MS) {
          state.limit = limits.concurrency;
          if (forgettable(state)) {
            states.delete(origin);
            continue;
          }
        }
        const n = free(state, now);
        if (n < limits.concurrency) {
          origins.push(origin);
          slots.push(n);
        }
      }
      return { origins, free: slots };
    },
    inspect(origin, now) {
      const state = states.get(origin);
      return state
        ? { inFlight: state.inFlight, blocked: state.blockedUntil > now, share: share(state, now) }
        : { inFlight: 0, blocked: false, share: limits.concurrency };
    },
    started(origin) {
      const state = stateOf(origin);
      state.inFlight++;
      if (state.slow) slowInFlight++;
    },
    finished(origin, end) {
      const { failed, now, random = 0, retryAfterMs = 0 } = end;
      const state = stateOf(origin);
      const wasFull = state.inFlight >= state.limit;
      if (state.inFlight > 0) {
        state.inFlight--;
        if (state.slow) slowInFlight--;
      }
      // An attempt that started before the last cut says nothing about the new share.
      const held = state.cutHold > 0;
      if (held) state.cutHold--;
      setSlow(state, end.slow === true);
      if (failed) cut(state, limits.concurrency);
      else if (!held && end.latencyMs !== undefined) {
        if (end.latencyMs > growWithinMs)
          cut(state, Math.max(limits.concurrency, Math.floor(state.limit * SHRINK)));
        else if (wasFull) state.limit = Math.min(maxConcurrency, state.limit + 1);
      }
      let blockedUntil: number | null = null;
      const asked = Math.min(limits.capMs, retryAfterMs);
      if (!failed) {
        // It answered: the back-off is over and the probe, if this was it, succeeded.
        state.failures = 0;
        state.blockedUntil = 0;
        state.probing = false;
      } else if (state.blockedUntil <= now) {
        // Attempts that were in flight together fail together: one back-off step per
        // period, not one per attempt, or a burst would jump straight to the cap.
        state.failures++;
        const base = Math.min(limits.capMs, 1_000 * 2 ** Math.min(30, state.failures - 1));
        state.blockedUntil = now + Math.max(Math.round(base * (1 + 0.2 * random)), asked);
        // When the back-off ends, one attempt probes before the origin gets its share again.
        state.probing = true;
        blockedUntil = state.blockedUntil;
      } else if (now + asked > state.blockedUntil) {
        // Already backing off, and the receiver asks for longer: it gets what it asked.
        state.blockedUntil = now + asked;
        blockedUntil = state.blockedUntil;
      }
      state.lastEnded = now;
      // Forget healthy idle origins: memory follows the origins in use (and the slow or
      // failing ones), not all ever seen. One that grew keeps its slots between batches, and
      // is forgotten once idle for GROWN_IDLE_MS (`limited`).
      if (forgettable(state)) states.delete(origin);
      return blockedUntil;
    },
    get size() {
      return states.size;
    },
  };
}
