/**
 * Per-origin isolation (pure state, the scheduler owns the clock): at most `concurrency`
 * attempts in flight to one origin (the isolation key: the endpoint, `domain/endpoint.ts`), and an origin that
 * is down (timeouts, connection errors, 5xx, 429) backs off as a whole — its other reports
 * wait instead of each burning a timeout — while every other origin carries on. After a
 * back-off one probe attempt goes first; the full share returns once one succeeds. An origin
 * whose attempts are slow (longer than the scheduler's budget) gets a few slots only, and the
 * slow origins together at most `slowTotal`: they can never hold every slot.
 */
export interface OriginLimits {
  /** Attempts in flight to one origin at most. */
  concurrency: number;
  /** Longest back-off of an origin. */
  capMs: number;
  /** Attempts in flight to a slow origin at most (default: an eighth of `concurrency`, at least 1). */
  slowShare?: number;
  /** Attempts in flight to all slow origins together at most (default: no limit). */
  slowTotal?: number;
}

interface OriginState {
  inFlight: number;
  failures: number;
  blockedUntil: number;
  /** Backed off and not answered since: one attempt at a time. */
  probing: boolean;
  /** Its last attempt took longer than the budget: `slowShare` slots. */
  slow: boolean;
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

export function createOriginBook(limits: OriginLimits): OriginBook {
  const slowShare = limits.slowShare ?? Math.max(1, Math.floor(limits.concurrency / 8));
  const slowTotal = limits.slowTotal ?? Number.POSITIVE_INFINITY;
  const states = new Map<string, OriginState>();
  /** Attempts in flight to slow origins. */
  let slowInFlight = 0;
  const stateOf = (origin: string) => {
    let state = states.get(origin);
    if (!state) {
      state = { inFlight: 0, failures: 0, blockedUntil: 0, probing: false, slow: false };
      states.set(origin, state);
    }
    return state;
  };
  const share = (state: OriginState, now: number) => {
    if (state.blockedUntil > now) return 0;
    if (state.probing) return 1;
    return state.slow ? slowShare : limits.concurrency;
  };
  const free = (state: OriginState, now: number) => {
    const own = share(state, now) - state.inFlight;
    return Math.max(0, state.slow ? Math.min(own, slowTotal - slowInFlight) : own);
  };
  const setSlow = (state: OriginState, slow: boolean) => {
    if (state.slow === slow) return;
    state.slow = slow;
    slowInFlight += slow ? state.inFlight : -state.inFlight;
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
      if (state.inFlight > 0) {
        state.inFlight--;
        if (state.slow) slowInFlight--;
      }
      setSlow(state, end.slow === true);
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
      // Forget healthy idle origins: memory follows the origins in use (and the slow or
      // failing ones), not all ever seen.
      if (state.inFlight === 0 && state.failures === 0 && !state.slow) states.delete(origin);
      return blockedUntil;
    },
    get size() {
      return states.size;
    },
  };
}
