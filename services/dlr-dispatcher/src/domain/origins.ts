import { hostOfEndpoint } from "./endpoint.ts";

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
 * slow origins together at most `slowTotal`: they can never hold every slot. The origins of one
 * host (scheme, host and port: `hostOfEndpoint`) together run at most `hostConcurrency`, each
 * within its own share: reports whose callback path names the message are each a new origin,
 * unknown to be slow, and on one slow host they still hold no more than that.
 *
 * Memory follows the origins in use: a healthy idle origin is forgotten at once, a slow,
 * failed or late one once it has had nothing in flight for `retainMs`, and a host is known
 * only while it has attempts in flight.
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
  /** Attempts in flight to the origins of one host together at most (default: no limit). */
  hostConcurrency?: number;
  /**
   * How long a slow, failed or late origin with nothing in flight is remembered (default:
   * twice `capMs`). Every wait here — an origin's back-off, a Retry-After, a report's retry
   * delay (webhookRetryDelayMs) — is at most `capMs` plus 20 % jitter, so an origin whose
   * reports are still retried has one of them due, and attempted (which refreshes it), well
   * within that after its last attempt ended; one idle longer has nothing left waiting for it,
   * or it is a report path used once (the message id in the path) that must not stay forever.
   */
  retainMs?: number;
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
   * An attempt outlasted the fast path's budget, and none has ended within it since: its
   * fresh reports do not wait in memory for a slot (`mayHold`).
   */
  late: boolean;
  /** Its host (`hostOfEndpoint`), the key of its share of the host's bound. */
  host: string;
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

/** A host with attempts in flight (known only while it has some). */
interface HostState {
  inFlight: number;
  /** An attempt of one of its origins outlasted the fast path's budget, none ended within it since. */
  late: boolean;
}

/** What an origin's free slots follow (`slotsLeft`). */
export interface SlotsInput {
  /** Attempts it may run at once now: 0 backing off, 1 probing, its slow share, or its limit. */
  share: number;
  /** Its attempts in flight. */
  inFlight: number;
  /** Attempts in flight to its host: every origin of the same scheme, host and port. */
  hostInFlight: number;
  /** The most its host may have in flight. */
  hostConcurrency: number;
  /** When it is slow: how many more the slow origins together may start. */
  slowRoom?: number;
}

/**
 * Attempts an origin may start now (pure): what its own share leaves, and never more than its
 * host's bound leaves (distinct paths on one host never hold more than `hostConcurrency`
 * together, so that another host's report still finds a slot), nor, when it is slow, than the
 * slow origins' total leaves. A host at its bound holds its origins back as their own full
 * share would: the same wait (in memory on the fast path, in the queue otherwise).
 */
export function slotsLeft(input: SlotsInput): number {
  const own = input.share - input.inFlight;
  const host = input.hostConcurrency - input.hostInFlight;
  return Math.max(0, Math.min(own, host, input.slowRoom ?? Number.POSITIVE_INFINITY));
}

export interface OriginBook {
  /** Attempts this origin may start now: 0 while full, backing off or its host at its bound. */
  freeSlots(origin: string, now: number): number;
  /** The origins that cannot take their full share now, with what they can take (the claim query's input). */
  limited(now: number): { origins: string[]; free: number[] };
  /** Attempts in flight to this origin, whether it is backing off, and how many it may run at once now. */
  inspect(origin: string, now: number): { inFlight: number; blocked: boolean; share: number };
  started(origin: string): void;
  /** Records how an attempt ended; returns the back-off end when this failure started (or extended) one. */
  finished(origin: string, end: AttemptEnd): number | null;
  /**
   * The fast path's budget: an attempt of this origin outlasted it (`true`; the origin, and
   * its host while it has attempts in flight, is late), or one ended within it (`false`).
   */
  late(origin: string, late: boolean, now: number): void;
  /**
   * Whether a fresh report of this origin may wait in memory for a slot: not while the origin
   * backs off or is late, nor while its host is at its bound and late (a slow host's slots
   * free only after its timeouts: waiting for one would hold the report's whole batch).
   */
  mayHold(origin: string, now: number): boolean;
  /** Origins remembered. */
  readonly size: number;
  /** Hosts with attempts in flight. */
  readonly hosts: number;
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
  const hostConcurrency = limits.hostConcurrency ?? Number.POSITIVE_INFINITY;
  const retainMs = limits.retainMs ?? 2 * limits.capMs;
  const states = new Map<string, OriginState>();
  const hosts = new Map<string, HostState>();
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
        late: false,
        host: hostOfEndpoint(origin),
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
  const free = (state: OriginState, now: number) =>
    slotsLeft({
      share: share(state, now),
      inFlight: state.inFlight,
      hostInFlight: hosts.get(state.host)?.inFlight ?? 0,
      hostConcurrency,
      slowRoom: state.slow ? slowTotal - slowInFlight : Number.POSITIVE_INFINITY,
    });
  const forgettable = (state: OriginState) =>
    state.inFlight === 0 &&
    state.failures === 0 &&
    !state.slow &&
    !state.late &&
    state.limit === limits.concurrency;
  /** Slow, failed or late, with nothing in flight or backing off for longer than `retainMs`. */
  const expired = (state: OriginState, now: number) =>
    state.inFlight === 0 && state.blockedUntil <= now && now - state.lastEnded > retainMs;
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
      if (state) return free(state, now);
      // Unknown (a path never seen, or forgotten): its first share, as far as its host allows.
      return slotsLeft({
        share: limits.concurrency,
        inFlight: 0,
        hostInFlight: hosts.get(hostOfEndpoint(origin))?.inFlight ?? 0,
        hostConcurrency,
      });
    },
    limited(now) {
      const origins: string[] = [];
      const slots: number[] = [];
      for (const [origin, state] of states) {
        if (state.inFlight === 0 && now - state.lastEnded > GROWN_IDLE_MS) {
          state.limit = limits.concurrency;
        }
        if (forgettable(state) || expired(state, now)) {
          states.delete(origin);
          continue;
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
      const host = hosts.get(state.host);
      if (host) host.inFlight++;
      else hosts.set(state.host, { inFlight: 1, late: false });
    },
    finished(origin, end) {
      const { failed, now, random = 0, retryAfterMs = 0 } = end;
      const state = stateOf(origin);
      const wasFull = state.inFlight >= state.limit;
      if (state.inFlight > 0) {
        state.inFlight--;
        if (state.slow) slowInFlight--;
        const host = hosts.get(state.host);
        if (host && --host.inFlight <= 0) hosts.delete(state.host);
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
    late(origin, late, now) {
      const state = late ? stateOf(origin) : states.get(origin);
      const host = hosts.get(state?.host ?? hostOfEndpoint(origin));
      if (host) host.late = late;
      if (!state) return;
      state.late = late;
      // Marked after its attempt ended (and it was forgotten): remembered from now.
      if (state.inFlight === 0) state.lastEnded = Math.max(state.lastEnded, now);
      if (forgettable(state)) states.delete(origin);
    },
    mayHold(origin, now) {
      const state = states.get(origin);
      if (state && (state.late || state.blockedUntil > now)) return false;
      const host = hosts.get(state?.host ?? hostOfEndpoint(origin));
      return !(host?.late && host.inFlight >= hostConcurrency);
    },
    get size() {
      return states.size;
    },
    get hosts() {
      return hosts.size;
    },
  };
}
