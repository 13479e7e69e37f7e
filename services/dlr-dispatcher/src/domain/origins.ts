/**
 * Per-origin isolation (pure state, the scheduler owns the clock): at most `concurrency`
 * attempts in flight to one origin (scheme, host, port), and an origin that is down
 * (timeouts, connection errors, 5xx, 429) backs off as a whole — its other reports wait
 * instead of each burning a timeout — while every other origin carries on.
 */
export interface OriginLimits {
  /** Attempts in flight to one origin at most. */
  concurrency: number;
  /** Longest back-off of an origin. */
  capMs: number;
}

interface OriginState {
  inFlight: number;
  failures: number;
  blockedUntil: number;
}

export interface OriginBook {
  /** Attempts this origin may start now: 0 while full or backing off. */
  freeSlots(origin: string, now: number): number;
  /** The origins that cannot take their full share now, with what they can take (the claim query's input). */
  limited(now: number): { origins: string[]; free: number[] };
  /** Attempts in flight to this origin, and whether it is backing off. */
  inspect(origin: string, now: number): { inFlight: number; blocked: boolean };
  started(origin: string): void;
  /**
   * Records how an attempt ended; returns the back-off end when this failure started (or
   * extended) one. A failure with the receiver's Retry-After backs off at least that long
   * (up to the cap).
   */
  finished(
    origin: string,
    failed: boolean,
    now: number,
    random?: number,
    retryAfterMs?: number,
  ): number | null;
  readonly size: number;
}

export function createOriginBook(limits: OriginLimits): OriginBook {
  const states = new Map<string, OriginState>();
  const stateOf = (origin: string) => {
    let state = states.get(origin);
    if (!state) {
      state = { inFlight: 0, failures: 0, blockedUntil: 0 };
      states.set(origin, state);
    }
    return state;
  };
  const free = (state: OriginState, now: number) =>
    state.blockedUntil > now ? 0 : Math.max(0, limits.concurrency - state.inFlight);

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
        ? { inFlight: state.inFlight, blocked: state.blockedUntil > now }
        : { inFlight: 0, blocked: false };
    },
    started(origin) {
      stateOf(origin).inFlight++;
    },
    finished(origin, failed, now, random = 0, retryAfterMs = 0) {
      const state = stateOf(origin);
      state.inFlight = Math.max(0, state.inFlight - 1);
      let blockedUntil: number | null = null;
      const asked = Math.min(limits.capMs, retryAfterMs);
      if (!failed) {
        state.failures = 0;
        state.blockedUntil = 0;
      } else if (state.blockedUntil <= now) {
        // Attempts that were in flight together fail together: one back-off step per
        // period, not one per attempt, or a burst would jump straight to the cap.
        state.failures++;
        const base = Math.min(limits.capMs, 1_000 * 2 ** Math.min(30, state.failures - 1));
        state.blockedUntil = now + Math.max(Math.round(base * (1 + 0.2 * random)), asked);
        blockedUntil = state.blockedUntil;
      } else if (now + asked > state.blockedUntil) {
        // Already backing off, and the receiver asks for longer: it gets what it asked.
        state.blockedUntil = now + asked;
        blockedUntil = state.blockedUntil;
      }
      // Forget healthy idle origins: memory follows the origins in use, not all ever seen.
      if (state.inFlight === 0 && state.failures === 0) states.delete(origin);
      return blockedUntil;
    },
    get size() {
      return states.size;
    },
  };
}
