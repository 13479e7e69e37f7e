import { errorMessage } from "@smsgw/service-kit";
import type { ScheduleStore } from "../db/schedule-store.ts";
import { scheduledOverdue, scheduledWaiting } from "../metrics.ts";
import { routeScheduled, type ScheduleTimerDeps } from "./schedule-timer.ts";

/** How often the schedule's gauges are read and routed rows purged. */
const STATS_EVERY_MS = 10_000;
/** Routed rows are kept this long: a late redelivery of the accepted event finds its row. */
const KEEP_ROUTED_MS = 24 * 60 * 60 * 1000;

/**
 * Runs the schedule's timer: a pass every `pollMs`, at once again while passes fill a batch
 * (a backlog of due messages drains at full speed); every ten seconds the gauges (messages
 * waiting, the oldest overdue) and the purge of rows routed a day ago. A failed pass (the
 * database or NATS away) is logged and tried at the next tick: its rows' leases run out and
 * they are taken again.
 */
export function startScheduleTimer(
  deps: ScheduleTimerDeps & { store: ScheduleStore },
  options: { pollMs: number },
): { stop(): Promise<void>; wake(): void } {
  let stopped = false;
  let wake: (() => void) | undefined;
  let lastStats = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, ms).unref();
    });
  const loop = (async () => {
    while (!stopped) {
      let full = false;
      try {
        full = (await routeScheduled(deps)) >= deps.batch;
        const now = deps.now();
        if (now.getTime() - lastStats >= STATS_EVERY_MS) {
          lastStats = now.getTime();
          const stats = await deps.store.stats(now);
          scheduledWaiting.set(stats.waiting);
          scheduledOverdue.set(stats.oldestOverdueSeconds);
          await deps.store.purgeRouted(new Date(now.getTime() - KEEP_ROUTED_MS));
        }
      } catch (error) {
        if (!stopped) deps.log.warn({ err: errorMessage(error) }, "schedule pass failed; retrying");
      }
      if (!full && !stopped) await sleep(options.pollMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    /** A pass now instead of at the next tick (a cancel to publish). */
    wake() {
      wake?.();
    },
  };
}
