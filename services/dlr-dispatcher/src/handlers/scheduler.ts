import type { EventOf } from "@smsgw/contracts";
import { type EventPublisher, errorMessage, type Logger } from "@smsgw/service-kit";
import type { Job, JobStore, Settlement } from "../db/jobs.ts";
import { claimRequest, PREFETCH } from "../domain/claim.ts";
import { hostOfEndpoint } from "../domain/endpoint.ts";
import { createOriginBook } from "../domain/origins.ts";
import type { Delivered } from "./deliver.ts";

export interface SchedulerOptions {
  store: JobStore;
  publisher: EventPublisher;
  deliver(job: Job): Promise<Delivered>;
  log: Logger;
  /** Attempts in flight in total. */
  concurrency: number;
  /** Attempts in flight to one origin, until it shows it takes more… */
  perOrigin: number;
  /** …up to this, while it keeps every slot busy and answers fast (default: `perOrigin`). */
  perOriginMax?: number;
  /**
   * Attempts in flight to the origins of one host (scheme, host and port) together, each
   * within its own share (default: half of `concurrency`): many paths on one slow host never
   * hold every slot.
   */
  perHost?: number;
  /** Longest back-off of a failing origin. */
  originCapMs: number;
  /**
   * An attempt that takes longer makes its origin slow (until one ends within it): a slow
   * origin runs an eighth of `perOrigin`, and the slow ones together half of `concurrency`.
   */
  slowMs: number;
  /** How long a claimed job is reserved: its wait in the ready queue and its attempt, with a margin. */
  leaseMs: number;
  /** Longest sleep between two looks at the queue when nothing pokes. */
  idleMs?: number;
  random?(): number;
}

const SETTLE_BATCH = 512;
const COALESCE_MS = 3;

export { PREFETCH };

/**
 * Runs the jobs: claims due ones from Postgres (up to PREFETCH × `perOrigin` per origin,
 * none from an origin in back-off) into small per-origin ready queues, starts at most
 * `perOrigin` per origin (more for one that keeps them busy and answers fast, up to
 * `perOriginMax`: ADR 0028), and at most `perHost` to the origins of one host together,
 * without waiting for the others, and settles finished attempts in
 * batches — their WebhookAttempted events published in EventBatch envelopes, then their
 * rows updated in two statements. Nothing waits on one origin but that origin's jobs; the backlog stays
 * in Postgres, memory holds what is in flight and a few ready jobs per active origin.
 */
export function startScheduler(options: SchedulerOptions) {
  const { store, log } = options;
  const random = options.random ?? Math.random;
  const idleMs = options.idleMs ?? 500;
  const book = createOriginBook({
    concurrency: options.perOrigin,
    maxConcurrency: Math.min(options.concurrency, options.perOriginMax ?? options.perOrigin),
    capMs: options.originCapMs,
    slowTotal: Math.max(1, Math.floor(options.concurrency / 2)),
    hostConcurrency: options.perHost ?? Math.max(1, Math.floor(options.concurrency / 2)),
  });
  const running = new Set<Promise<void>>();
  const ready = new Map<string, Job[]>();
  let readyCount = 0;
  const pending: Array<{ settlement: Settlement; event?: EventOf<"WebhookAttempted"> }> = [];
  let flushing: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let poked = false;
  /**
   * Fast-path lanes waiting for a slot, per host, then per origin (in the order they came),
   * woken one per ended attempt. No empty entry is kept: the first one found has a lane.
   */
  const slotWaiters = new Map<string, Map<string, Array<() => void>>>();
  /** Withdraws a lane (or the origin's first), dropping what it leaves empty; returns it. */
  function takeWaiter(host: string, origin: string, lane?: () => void) {
    const ofHost = slotWaiters.get(host);
    const queue = ofHost?.get(origin);
    if (!ofHost || !queue) return undefined;
    const index = lane ? queue.indexOf(lane) : 0;
    if (index < 0) return undefined;
    const [taken] = queue.splice(index, 1);
    if (queue.length === 0) ofHost.delete(origin);
    if (ofHost.size === 0) slotWaiters.delete(host);
    return taken;
  }
  /**
   * Wakes one lane of the origin whose attempt ended (its slot freed), else one of its host's
   * (a slot of the host's bound freed), else one of any origin (a total slot freed).
   */
  function wakeOneWaiter(origin: string) {
    let host = hostOfEndpoint(origin);
    let ofHost = slotWaiters.get(host);
    if (!ofHost) {
      const first = slotWaiters.entries().next().value;
      if (!first) return;
      [host, ofHost] = first;
    }
    const next = ofHost.has(origin) ? origin : ofHost.keys().next().value;
    if (next !== undefined) takeWaiter(host, next)?.();
  }
  /** Wakes every lane waiting on this host's origins: they look again whether they may wait. */
  function wakeHost(host: string) {
    const ofHost = slotWaiters.get(host);
    if (!ofHost) return;
    slotWaiters.delete(host);
    for (const queue of ofHost.values()) for (const lane of queue) lane();
  }

  /** False once a claim came back empty: until new jobs are recorded, a freed slot finds nothing. */
  let backlog = true;
  const poke = () => {
    backlog = true;
    poked = true;
    wake?.();
  };

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.splice(0, SETTLE_BATCH);
      const events = batch.flatMap((item) => (item.event ? [item.event] : []));
      try {
        // Events first (EventBatch envelopes on <p>.evt.batch): if the process dies before the
        // rows are updated, the attempt is made again with the same number and the same event
        // id, which the event store logs once.
        if (events.length > 0) await options.publisher.publishBatch(events);
        await store.settle(batch.map((item) => item.settlement));
      } catch (error) {
        // The jobs stay leased; when the lease ends they are attempted again.
        log.error({ err: errorMessage(error), jobs: batch.length }, "settling attempts failed");
      }
    }
  }

  function settleLater(delivered: Delivered) {
    const { settlement, event } = delivered;
    pending.push(event ? { settlement, event } : { settlement });
    scheduleFlush();
  }

  function scheduleFlush() {
    if (flushing) return;
    // Let the attempts that end in the same tick share one flush.
    flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(flush).finally(() => {
      flushing = null;
      if (pending.length > 0) scheduleFlush();
    });
  }

  /**
   * Runs one attempt of a job, accounted in the origin book (slots, back-off) and in the
   * attempts in flight; resolves with how to settle it and never rejects. The caller
   * settles it: the scheduler for jobs it claimed, the fast path for fresh ones.
   */
  function runAttempt(job: Job): Promise<Delivered> {
    book.started(job.origin);
    const startedAt = Date.now();
    const attempt = options
      .deliver(job)
      .catch((error: unknown): Delivered => {
        log.error({ messageId: job.messageId, err: errorMessage(error) }, "attempt crashed");
        const dueAt = new Date(Date.now() + 5_000);
        return {
          settlement: { kind: "retry", job, attempts: job.attempts, dueAt },
          originFailed: false,
        };
      })
      .then((delivered) => {
        const now = Date.now();
        const blockedUntil = book.finished(job.origin, {
          failed: delivered.originFailed,
          now,
          random: random(),
          ...(delivered.originRetryAfterMs ? { retryAfterMs: delivered.originRetryAfterMs } : {}),
          slow: now - startedAt > options.slowMs,
          latencyMs: now - startedAt,
        });
        if (blockedUntil !== null) backOff(job.origin, new Date(blockedUntil));
        else trimReady(job.origin, now);
        return delivered;
      });
    const work: Promise<void> = attempt
      .then(() => undefined)
      .finally(() => {
        running.delete(work);
        wakeOneWaiter(job.origin);
        pump(job.origin);
        if (running.size < options.concurrency && readyCount > 0) pumpAll();
        // A freed slot looks at the queue only while it may hold due jobs: the fast path's
        // attempts must not cost a claim query each.
        if (backlog && readyCount < options.concurrency) poke();
      });
    running.add(work);
    return attempt;
  }

  function start(job: Job) {
    void runAttempt(job).then(settleLater);
  }

  /** Starts ready jobs of an origin while it has free slots (and the total allows). */
  function pump(origin: string) {
    const queue = ready.get(origin);
    if (!queue || stopping) return;
    const now = Date.now();
    while (
      queue.length > 0 &&
      running.size < options.concurrency &&
      book.freeSlots(origin, now) > 0
    ) {
      const job = queue.shift() as Job;
      readyCount--;
      start(job);
    }
    if (queue.length === 0) ready.delete(origin);
  }

  function pumpAll() {
    for (const origin of [...ready.keys()]) pump(origin);
  }

  /**
   * An origin whose share shrank (it turned slow) keeps PREFETCH × its new share ready; the
   * rest go back to the queue at once, before their lease could run out while they wait.
   */
  function trimReady(origin: string, now: number) {
    const queue = ready.get(origin);
    const keep = PREFETCH * Math.min(book.inspect(origin, now).share, options.perOrigin);
    if (!queue || queue.length <= keep) return;
    const excess = queue.splice(keep);
    readyCount -= excess.length;
    for (const job of excess) {
      settleLater({
        settlement: { kind: "retry", job, attempts: job.attempts, dueAt: new Date(now) },
        originFailed: false,
      });
    }
  }

  /** A failing origin's ready jobs and due rows wait until its back-off ends. */
  function backOff(origin: string, until: Date) {
    const queue = ready.get(origin) ?? [];
    ready.delete(origin);
    readyCount -= queue.length;
    for (const job of queue) {
      settleLater({
        settlement: { kind: "retry", job, attempts: job.attempts, dueAt: until },
        originFailed: false,
      });
    }
    store.postponeOrigin(origin, until).catch((error: unknown) => {
      log.warn({ origin, err: errorMessage(error) }, "postponing an origin failed");
    });
  }

  /** Claims what may start soon; true when the claim was full (more may be due at once). */
  async function tick(): Promise<boolean> {
    const now = Date.now();
    const request = claimRequest({
      concurrency: options.concurrency,
      perOrigin: options.perOrigin,
      running: running.size,
      origins: [...new Set([...ready.keys(), ...book.limited(now).origins])].map((origin) => ({
        origin,
        ready: ready.get(origin)?.length ?? 0,
        ...book.inspect(origin, now),
      })),
    });
    if (!request) return false;
    const jobs = await store.claim({ ...request, leaseMs: options.leaseMs });
    backlog = jobs.length > 0;
    for (const job of jobs) {
      const queue = ready.get(job.origin);
      if (queue) queue.push(job);
      else ready.set(job.origin, [job]);
      readyCount++;
    }
    pumpAll();
    return jobs.length === request.limit;
  }

  async function sleep(ms: number) {
    if (poked) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
  }

  const loop = (async () => {
    while (!stopping) {
      poked = false;
      let full = false;
      try {
        full = await tick();
      } catch (error) {
        log.error({ err: errorMessage(error) }, "claiming jobs failed");
        await sleep(idleMs);
        continue;
      }
      // A full claim may have left more due jobs: look again at once. Otherwise wait for
      // intake or a finished attempt to poke (or the idle period), then a moment more so
      // the attempts finishing together share one claim instead of one query each.
      if (!full) {
        await sleep(idleMs);
        await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
      }
    }
  })();

  return {
    /** New jobs were recorded, or a slot freed: look at the queue now. */
    poke,
    /**
     * For the fast path: starts a fresh job's attempt now if its origin has a free slot
     * and the total allows; null otherwise (the job goes to the queue).
     */
    tryAttempt(job: Job): Promise<Delivered> | null {
      if (stopping || running.size >= options.concurrency) return null;
      if (book.freeSlots(job.origin, Date.now()) <= 0) return null;
      return runAttempt(job);
    },
    /**
     * Waits until an attempt ends that may have freed a slot for this origin (true), or
     * until `giveUp` settles (false; the waiter is withdrawn, so it never absorbs a wake-up).
     */
    waitForSlot(origin: string, giveUp: Promise<unknown>): Promise<boolean> {
      return new Promise<boolean>((resolve) => {
        const wake = () => resolve(true);
        const host = hostOfEndpoint(origin);
        let ofHost = slotWaiters.get(host);
        if (!ofHost) {
          ofHost = new Map();
          slotWaiters.set(host, ofHost);
        }
        const queue = ofHost.get(origin);
        if (queue) queue.push(wake);
        else ofHost.set(origin, [wake]);
        void giveUp.then(() => {
          takeWaiter(host, origin, wake);
          resolve(false);
        });
      });
    },
    /**
     * Whether a fresh report of this origin may wait in memory for a slot: not while the origin
     * backs off or an attempt of it outlasted the fast path's budget, nor while its host is at
     * its bound with such an attempt (its reports go to the queue instead of holding a batch).
     */
    mayHold(origin: string): boolean {
      return book.mayHold(origin, Date.now());
    },
    /**
     * The fast path's budget: an attempt of this origin outlasted it (true), or one ended within
     * it (false). A late one wakes the lanes waiting on its host, to look again whether they may.
     */
    noteLate(origin: string, late: boolean): void {
      book.late(origin, late, Date.now());
      if (late) wakeHost(hostOfEndpoint(origin));
    },
    /** Settles an attempt the fast path handed over (its job row is recorded). */
    settleLater,
    get inFlight() {
      return running.size;
    },
    /** Takes no new jobs, lets the attempts in flight finish, settles them. */
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      // Ready jobs go back to the queue at once (not after their lease) for the next start.
      const now = new Date();
      for (const queue of ready.values()) {
        for (const job of queue) {
          settleLater({
            settlement: { kind: "retry", job, attempts: job.attempts, dueAt: now },
            originFailed: false,
          });
        }
      }
      ready.clear();
      readyCount = 0;
      while (running.size > 0) await Promise.all(running);
      while (flushing || pending.length > 0) await (flushing ?? flush());
    },
  };
}

export type Scheduler = ReturnType<typeof startScheduler>;
