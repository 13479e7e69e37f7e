import type { Reconnects } from "./reconnects.ts";

/**
 * Pauses before asking again when nobody serves the subject: pricing restarting, or its
 * connection moving to another node of a NATS cluster that lost one. Nothing was delivered to
 * anyone, so asking again charges nothing twice; the deadline bounds it, and so does the
 * list: 1.5 s in all, then a pricing that is down is answered as down.
 */
const NO_RESPONDERS_PAUSES_MS = [100, 200, 400, 800] as const;

/**
 * Not asked (again) with less than this left: pricing answers a request that reaches it with
 * under half a second to its deadline "too late" without charging (its ANSWER_MARGIN_MS), and
 * a charge takes a moment more.
 */
export const LEAST_TIME_TO_ASK_MS = 750;

export interface HedgedAsk {
  /** One ask: its answer, or why there is none, by `waitMs`. */
  send(waitMs: number): Promise<unknown>;
  /** The time by which an answer is due (ms). */
  deadline: number;
  /** With no answer yet, one more ask this long after the first (a lost ask); 0: none. */
  hedgeAfterMs: number;
  /** A subject nobody serves is asked again after a pause (NO_RESPONDERS_PAUSES_MS). */
  untilServed: boolean;
  /** Each reconnect of the connection, with no answer yet, sends one more ask. */
  reconnects?: Reconnects;
  isNoResponders(error: unknown): boolean;
}

/**
 * Asks until one ask answers: the first answer is the answer. Asks already out stay open, so a
 * pricing that is only slow still answers, while a new ask goes out when the connection the
 * others went on is replaced (their answers cannot come back on it) and once after
 * `hedgeAfterMs` (the replica that took them may have died with them). Asking again is safe
 * only where a repeat is answered as the first was (pricing: the same message ids, never
 * charged twice). Rejects with the last ask's error when none is left open or waiting.
 */
export function askHedged<T>(ask: HedgedAsk): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let open = 0;
    let paused = 0;
    let noResponders = 0;
    let lastError: unknown;
    let stopWatching = () => {};
    const timers = new Set<NodeJS.Timeout>();
    const finish = () => {
      done = true;
      stopWatching();
      for (const timer of timers) clearTimeout(timer);
    };
    const after = (ms: number, then: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        then();
      }, ms);
      timers.add(timer);
    };
    const send = () => {
      if (done) return;
      open++;
      ask.send(Math.max(1, ask.deadline - Date.now())).then(
        (answer) => {
          if (done) return;
          finish();
          resolve(answer as T);
        },
        (error: unknown) => {
          open--;
          if (done) return;
          lastError = error;
          const pause = NO_RESPONDERS_PAUSES_MS[noResponders];
          if (
            ask.untilServed &&
            pause !== undefined &&
            ask.isNoResponders(error) &&
            askAgainIn(pause, ask.deadline)
          ) {
            noResponders++;
            paused++;
            after(pause, () => {
              paused--;
              send();
            });
          }
          if (open === 0 && paused === 0) {
            finish();
            reject(lastError);
          }
        },
      );
    };
    const watch = () => {
      if (!ask.reconnects) return;
      stopWatching = ask.reconnects.once(() => {
        if (done) return;
        if (askAgainIn(0, ask.deadline)) send();
        watch();
      });
    };
    watch();
    if (ask.hedgeAfterMs > 0 && askAgainIn(ask.hedgeAfterMs, ask.deadline)) {
      after(ask.hedgeAfterMs, send);
    }
    send();
  });
}

/** Whether a pause of `pauseMs` still leaves time to ask before `deadline`. */
export function askAgainIn(pauseMs: number, deadline: number, now = Date.now()): boolean {
  return now + pauseMs + LEAST_TIME_TO_ASK_MS <= deadline;
}
