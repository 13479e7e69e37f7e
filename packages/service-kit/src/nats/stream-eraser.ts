import type { Logger } from "pino";
import { fateOfCopy, type StreamConsumer } from "../domain/stream-erasure.ts";
import { errorMessage } from "../errors.ts";
import { defineCounter, defineGauge } from "../telemetry/define.ts";
import type { Nats } from "./connect.ts";

type JetStreamManager = Nats["jsm"];

/**
 * A service's queue of stream copies to delete (ADR 0021, the stream's copies): a table of its
 * own schema, filled in its erasures' transactions (the event store's `stream_erasures` for
 * sent messages, the inbound service's for MO).
 */
export interface StreamErasureQueue {
  /** Work before each run (the event store queues its late status envelopes here). */
  beforeRun?(): Promise<void>;
  /** The oldest queued sequences, up to `limit`. */
  queued(limit: number): Promise<number[]>;
  /** Deleted, or gone from the stream: off the queue. */
  drop(seqs: readonly number[]): Promise<void>;
  /** What the stream no longer holds (below its first sequence) needs no record. */
  forgetBelow(firstSeq: number): Promise<void>;
}

export interface StreamEraserOptions {
  queue: StreamErasureQueue;
  jsm: JetStreamManager;
  stream: string;
  log: Logger;
  /** The service's own series (`defineStreamEraserMetrics`). */
  metrics?: StreamEraserMetrics;
}

export interface StreamEraserMetrics {
  erased: { inc(n: number): void };
  waiting: { set(n: number): void };
}

/**
 * A service's stream eraser series: `smsgw_<service>_stream_copies_erased_total` (copies
 * deleted) and `smsgw_<service>_stream_erasures_waiting` (copies the last run left waiting).
 */
export function defineStreamEraserMetrics(service: string): StreamEraserMetrics {
  return {
    erased: defineCounter({
      name: `smsgw_${service}_stream_copies_erased_total`,
      help: "Stream messages holding erased content deleted (and overwritten) by the stream eraser (ADR 0021).",
    }),
    waiting: defineGauge({
      name: `smsgw_${service}_stream_erasures_waiting`,
      help: "Stream copies of erased content the last run left waiting: a consumer of their subject has not acked them yet.",
    }),
  };
}

/** Copies looked at per run at most. */
const RUN_LIMIT = 1_000;

/**
 * One run of the stream eraser: for each queued copy, asks the stream for its subject and
 * every consumer for its ack floor, and deletes it with erase (the server overwrites it) once
 * every consumer of its subject is past it (`fateOfCopy`). Copies gone from the stream leave
 * the queue; the others wait for the next run. Returns how many were deleted and how many wait.
 */
export async function runStreamEraser(
  options: StreamEraserOptions,
): Promise<{ erased: number; waiting: number }> {
  const { queue, jsm, stream } = options;
  await queue.beforeRun?.();
  const queued = await queue.queued(RUN_LIMIT);
  if (queued.length === 0) {
    options.metrics?.waiting.set(0);
    return { erased: 0, waiting: 0 };
  }
  const firstSeq = await streamFirstSeq(jsm, stream);
  const consumers = await streamConsumers(jsm, stream);
  const done: number[] = [];
  let erased = 0;
  for (const seq of queued) {
    const subject = seq < firstSeq ? null : await subjectAt(jsm, stream, seq);
    const fate = fateOfCopy({ seq, subject }, firstSeq, consumers);
    if (fate === "wait") continue;
    if (fate === "erase" && (await eraseCopy(jsm, stream, seq))) erased++;
    done.push(seq);
  }
  await queue.drop(done);
  const waiting = queued.length - done.length;
  options.metrics?.waiting.set(waiting);
  if (erased > 0) options.metrics?.erased.inc(erased);
  return { erased, waiting };
}

/** The stream's first sequence: below it the stream holds nothing any more. */
export async function streamFirstSeq(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.first_seq;
}

/** Every consumer of the stream: its filter subjects and ack floor. */
async function streamConsumers(jsm: JetStreamManager, stream: string): Promise<StreamConsumer[]> {
  const consumers: StreamConsumer[] = [];
  for await (const info of jsm.consumers.list(stream)) {
    const { filter_subject: one, filter_subjects: several } = info.config;
    consumers.push({
      name: info.name,
      filterSubjects: several?.length ? several : one ? [one] : [],
      ackFloor: info.ack_floor.stream_seq,
    });
  }
  return consumers;
}

/** The subject of the stream message at `seq`, or null when the stream no longer has it. */
async function subjectAt(jsm: JetStreamManager, stream: string, seq: number) {
  const message = await jsm.streams.getMessage(stream, { seq });
  return message?.subject ?? null;
}

/** Deletes and overwrites the message; false when another replica deleted it first. */
async function eraseCopy(jsm: JetStreamManager, stream: string, seq: number): Promise<boolean> {
  try {
    return await jsm.streams.deleteMessage(stream, seq, true);
  } catch (error) {
    if (/no message found|not found/i.test(errorMessage(error))) return false;
    throw error;
  }
}

/**
 * Runs the eraser every `intervalMs` (one run at a time) and at once when `kick`ed (after an
 * erasure); forgets what the stream aged out every `forgetEveryMs`.
 */
export function startStreamEraser(
  options: StreamEraserOptions & { intervalMs: number; forgetEveryMs?: number },
): { kick(): void; stop(): Promise<void> } {
  const forgetEveryMs = options.forgetEveryMs ?? 60_000;
  let lastForget = 0;
  let running: Promise<unknown> = Promise.resolve();
  let queuedRun = false;
  let stopped = false;
  const run = () => {
    if (queuedRun || stopped) return;
    queuedRun = true;
    running = running.then(async () => {
      queuedRun = false;
      if (stopped) return;
      try {
        const { erased, waiting } = await runStreamEraser(options);
        if (erased > 0)
          options.log.info({ erased, waiting }, "stream copies of erased content deleted");
        if (Date.now() - lastForget >= forgetEveryMs) {
          lastForget = Date.now();
          await options.queue.forgetBelow(await streamFirstSeq(options.jsm, options.stream));
        }
      } catch (error) {
        options.log.warn({ err: errorMessage(error) }, "stream eraser run failed");
      }
    });
  };
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
