import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { z } from "zod";
import { companyExpected, createArrivalRate } from "../arrival-rate.ts";
import { errorMessage, PermanentError, RetryableError, withDeadline } from "../errors.ts";
import {
  consumerAckPending,
  consumerBatchDuration,
  consumerBatchSize,
  consumerLag,
  consumerMessages,
  consumerStalled,
} from "../telemetry/metrics.ts";
import { serviceTracer } from "../telemetry/spans.ts";
import type { Nats } from "./connect.ts";
import { ensureDurableConsumer } from "./stream.ts";
import { contextFromEnvelope, currentTraceContext, extractTraceContext } from "./trace-headers.ts";

const LAG_POLL_MS = 5_000;
/** Back-off between attempts to recreate a lost durable and reopen its messages. */
const REOPEN_FIRST_MS = 500;
const REOPEN_MAX_MS = 10_000;
/** A queue this long starts its batch at once: it is big enough to be worth its round trip. */
const LINGER_BELOW = 32;
let defaultLingerMs = 0;

/** Set once by openMessaging from CONSUMER_LINGER_MS; a consumer's own option wins. */
export function setConsumerLinger(ms: number): void {
  defaultLingerMs = ms;
}

export type Outcome =
  | { kind: "ack" }
  | { kind: "nak"; delayMs: number }
  | { kind: "term"; reason: string };

export const ACK: Outcome = { kind: "ack" };
export const nak = (delayMs: number): Outcome => ({ kind: "nak", delayMs });
export const term = (reason: string): Outcome => ({ kind: "term", reason });

export interface Delivery<T> {
  value: T;
  subject: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  /**
   * The message's sequence in the stream: where its copy is, for erasing it later (ADR 0021,
   * the stream's copies). The events of one envelope share it.
   */
  seq: number;
  headers: MsgHdrs | undefined;
  /**
   * When JetStream stored the message (ms, the server's clock): the same on every delivery
   * and for every consumer, so a decision on it (the acceptance fence, ADR 0022) is the same
   * everywhere. Absent only in hand-made deliveries of unit tests.
   */
  storedAtMs?: number;
}

export interface ConsumerOptions<T> {
  stream: string;
  durable: string;
  filterSubject: string;
  schema: z.ZodType<T>;
  log: Logger;
  /** Receives the messages that arrived together (natural batching), never more than maxBatch. */
  handle(batch: Delivery<T>[]): Promise<readonly Outcome[] | undefined>;
  maxBatch?: number;
  /** Batches processed at once; 1 keeps the handler simple. */
  concurrency?: number;
  /**
   * Wait before starting a batch from a short queue when more is expected meanwhile
   * (default: CONSUMER_LINGER_MS).
   */
  lingerMs?: number;
  ackWaitMs?: number;
  /** A new durable starts at the messages stored from this time (DurableConsumerSpec.startAt). */
  startAt?: Date;
  /**
   * A batch whose handler is still running after this long is given up: its messages are
   * nak'd (redelivered later; handlers are idempotent) and its slot freed, so a handler hung
   * on a dead connection cannot stall the consumer forever. Default: twice the ack wait.
   */
  handlerTimeoutMs?: number;
  /** How often the consumer reads its info: lag, ack pending and ack floor (default 5 s). */
  infoPollMs?: number;
}

export interface RunningConsumer {
  /** Stops pulling, finishes the batches in flight (acking them), hands back the rest. */
  stop(): Promise<void>;
}

/** Redelivery back-off for unexpected errors: 0.5 s, 1 s, 2 s … capped at 30 s. */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, deliveryCount - 1));
}

export async function startConsumer<T>(
  nats: Nats,
  options: ConsumerOptions<T>,
): Promise<RunningConsumer> {
  const { stream, durable, schema, log } = options;
  const maxBatch = options.maxBatch ?? 256;
  const lingerMs = options.lingerMs ?? defaultLingerMs;
  const concurrency = options.concurrency ?? 1;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 2 * (options.ackWaitMs ?? 30_000);
  const tracer = serviceTracer(nats.service);
  const spec = {
    durable,
    filterSubject: options.filterSubject,
    ...(options.ackWaitMs === undefined ? {} : { ackWaitMs: options.ackWaitMs }),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
  };
  /** The durable's ack floor as last read (stream sequence; 0 until read). */
  let ackFloor = 0;
  const open = async (): Promise<ConsumerMessages> => {
    await ensureDurableConsumer(nats.jsm, stream, { ...spec, startAfterSeq: ackFloor });
    const consumer = await nats.js.consumers.get(stream, durable);
    // A durable deleted under us, or its stream, ends the messages instead of waiting for
    // someone to restore them (the library's default): the pump recreates and reopens them.
    return consumer.consume({ max_messages: maxBatch * 2, abort_on_missing_resource: true });
  };
  let messages = await open();
  consumerStalled.set({ consumer: durable }, 0);

  const queue: JsMsg[] = [];
  /** Messages waiting for a batch at most (see the pump). */
  const maxQueued = maxBatch * Math.max(2, concurrency) * 2;
  let roomInQueue: (() => void) | undefined;
  const wakePump = () => {
    const wake = roomInQueue;
    roomInQueue = undefined;
    wake?.();
  };
  const inFlight = new Set<Promise<void>>();
  const held = new Set<JsMsg>();
  // Messages waiting behind a slow batch, or in one, must not pass ack_wait and be
  // redelivered to another replica while we still hold them: tell the server we are on it.
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const heartbeat = setInterval(
    () => {
      for (const msg of held) msg.working();
    },
    Math.max(1_000, Math.floor(ackWaitMs / 3)),
  );
  heartbeat.unref();
  const lagPoll = setInterval(() => {
    nats.jsm.consumers
      .info(stream, durable)
      .then((info) => {
        ackFloor = Math.max(ackFloor, info.ack_floor.stream_seq);
        consumerLag.set({ consumer: durable }, info.num_pending);
        consumerAckPending.set({ consumer: durable }, info.num_ack_pending);
      })
      .catch(() => undefined);
  }, options.infoPollMs ?? LAG_POLL_MS);
  lagPoll.unref();
  let scheduled = false;
  let stopping = false;
  let lingering: ReturnType<typeof setTimeout> | undefined;
  const arrivals = createArrivalRate();

  const startBatches = () => {
    scheduled = false;
    lingering = undefined;
    while (!stopping && inFlight.size < concurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      if (queue.length < maxQueued) wakePump();
      const work = processBatch(batch).finally(() => {
        for (const msg of batch) held.delete(msg);
        inFlight.delete(work);
        if (queue.length > 0) schedule(false);
      });
      inFlight.add(work);
    }
  };
  const schedule = (arrived: boolean) => {
    const short = queue.length < Math.min(maxBatch, LINGER_BELOW);
    if (lingering !== undefined && !short) {
      // The queue filled while it lingered: it has company enough, it starts now.
      clearTimeout(lingering);
      lingering = undefined;
      scheduled = false;
    }
    if (scheduled) return;
    // What arrives while every slot is busy already has company: the batch that frees a slot
    // starts it at once (above), never behind a timer, so under load batches grow by
    // themselves and nothing waits for a window.
    if (arrived && inFlight.size >= concurrency) return;
    scheduled = true;
    // A message arriving at a free slot and a short queue lingers a moment when, at the
    // recent rate, others are expected meanwhile: they join its batch (one transaction, one
    // round of acks, one wake-up of each process downstream). A trickle, or a long queue,
    // starts at once; either way the messages of the same chunk meet (setImmediate).
    if (arrived && short && companyExpected(arrivals.perSecond(Date.now()), lingerMs)) {
      lingering = setTimeout(startBatches, lingerMs);
    } else {
      setImmediate(startBatches);
    }
  };

  async function processBatch(batch: JsMsg[]): Promise<void> {
    const valid: Array<{ msg: JsMsg; delivery: Delivery<T> }> = [];
    for (const msg of batch) {
      const parsed = decode(msg, schema);
      if (parsed.ok) valid.push({ msg, delivery: parsed.delivery });
      else {
        // A message that can never parse is poison: park it, say so loudly.
        log.error(
          { durable, subject: msg.subject, seq: msg.seq, problem: parsed.problem },
          "invalid event terminated",
        );
        msg.term();
      }
    }
    if (valid.length === 0) return;
    const spans = valid.map(({ msg, delivery }) =>
      startProcessSpan(tracer, durable, msg.subject, delivery),
    );
    const timer = consumerBatchDuration.startTimer({ consumer: durable });
    consumerBatchSize.observe({ consumer: durable }, valid.length);
    let outcomes: readonly Outcome[] | undefined;
    try {
      outcomes = await withDeadline(
        options.handle(valid.map((v) => v.delivery)),
        handlerTimeoutMs,
        `${durable} handler`,
      );
    } catch (error) {
      outcomes = valid.map(({ delivery }) => outcomeOfError(error, delivery.deliveryCount));
      log.warn({ durable, err: errorMessage(error), size: valid.length }, "batch handler failed");
    }
    timer();
    // Counted per batch, not per message: a labelled inc costs a label lookup each.
    const tally = { ack: 0, nak: 0, term: 0 };
    for (const [index, { msg }] of valid.entries()) {
      const outcome = outcomes?.[index] ?? ACK;
      if (outcome.kind === "term") {
        log.error(
          { durable, subject: msg.subject, seq: msg.seq, reason: outcome.reason },
          "event terminated",
        );
      }
      settle(msg, outcome);
      tally[outcome.kind]++;
      endProcessSpan(spans[index], outcome);
    }
    for (const kind of ["ack", "nak", "term"] as const) {
      if (tally[kind] > 0) consumerMessages.inc({ consumer: durable, outcome: kind }, tally[kind]);
    }
  }

  const take = async (msg: JsMsg) => {
    if (stopping) {
      msg.nak();
      return;
    }
    queue.push(msg);
    held.add(msg);
    schedule(true);
    arrivals.note(Date.now());
    // Past this many waiting here, take no more until a batch starts: the iterator issues
    // no new pull meanwhile, so the rest stays in the server, counted as the durable's
    // backlog and free for another replica, instead of in this process's memory, kept
    // alive by heartbeats behind a slow handler.
    while (queue.length >= maxQueued && !stopping) {
      await new Promise<void>((resolve) => {
        roomInQueue = resolve;
      });
    }
  };
  let reopenPause: { timer: ReturnType<typeof setTimeout>; done: () => void } | undefined;
  const pauseBeforeReopen = (attempt: number) =>
    new Promise<void>((resolve) => {
      const ms = Math.min(REOPEN_MAX_MS, REOPEN_FIRST_MS * 2 ** (attempt - 1));
      reopenPause = { timer: setTimeout(resolve, ms), done: resolve };
    });

  // Messages that end while the consumer runs (its durable or stream deleted, a permission
  // refused, the subscription closed) would leave a service that looks healthy and takes
  // nothing: the durable is recreated from its last ack floor and the messages reopened,
  // with back-off, until it works or the consumer stops.
  const pump = (async () => {
    let attempt = 0;
    while (!stopping) {
      try {
        for await (const msg of messages) {
          attempt = 0;
          await take(msg);
        }
        if (!stopping) log.error({ durable }, "consumer's messages ended; reopening them");
      } catch (error) {
        if (!stopping) {
          log.error({ durable, err: errorMessage(error) }, "consumer lost; recreating it");
        }
      }
      while (!stopping) {
        consumerStalled.set({ consumer: durable }, 1);
        attempt++;
        await pauseBeforeReopen(attempt);
        if (stopping) break;
        try {
          messages = await open();
          if (stopping) {
            await messages.close().catch(() => undefined);
            break;
          }
          consumerStalled.set({ consumer: durable }, 0);
          log.warn({ durable, startAfterSeq: ackFloor }, "consumer reopened");
          break;
        } catch (error) {
          log.error({ durable, err: errorMessage(error), attempt }, "consumer not reopened yet");
        }
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wakePump();
      if (reopenPause) {
        clearTimeout(reopenPause.timer);
        reopenPause.done();
      }
      await messages.close().catch(() => undefined);
      await pump.catch(() => undefined);
      for (const msg of queue.splice(0)) {
        held.delete(msg);
        msg.nak();
      }
      await Promise.allSettled([...inFlight]);
      clearInterval(heartbeat);
      clearInterval(lagPoll);
      clearTimeout(lingering);
    },
  };
}

function decode<T>(
  msg: JsMsg,
  schema: z.ZodType<T>,
): { ok: true; delivery: Delivery<T> } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = msg.json();
  } catch {
    return { ok: false, problem: "body is not JSON" };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, problem: result.error.message };
  return {
    ok: true,
    delivery: {
      value: result.data,
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      seq: msg.seq,
      headers: msg.headers,
      storedAtMs: Math.floor(Number(msg.info.timestampNanos) / 1_000_000),
    },
  };
}

/**
 * One span per delivery, child of the trace its event carries. While tracing is on, the
 * event's `trace` is replaced by this span's context, so the events a handler derives
 * from it (envelopeFor copies the cause's trace) continue the trace causally.
 */
function startProcessSpan<T>(
  tracer: Tracer,
  durable: string,
  subject: string,
  delivery: Delivery<T>,
): Span {
  const carrier = traceCarrier(delivery.value);
  const parent = carrier?.trace
    ? contextFromEnvelope(carrier.trace)
    : extractTraceContext(delivery.headers);
  const span = tracer.startSpan(
    `${durable} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "nats",
        "messaging.destination.name": subject,
        "messaging.consumer.group.name": durable,
      },
    },
    parent,
  );
  if (carrier && span.isRecording()) {
    carrier.trace = currentTraceContext(trace.setSpan(parent, span));
  }
  return span;
}

function endProcessSpan(span: Span | undefined, outcome: Outcome): void {
  if (!span) return;
  if (outcome.kind !== "ack") {
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.kind });
  }
  span.end();
}

function traceCarrier(
  value: unknown,
): { trace?: import("@smsgw/contracts").TraceContext | undefined } | null {
  return typeof value === "object" && value !== null && "messageId" in value
    ? (value as { trace?: import("@smsgw/contracts").TraceContext })
    : null;
}

function outcomeOfError(error: unknown, deliveryCount: number): Outcome {
  if (error instanceof PermanentError) return term(error.message);
  if (error instanceof RetryableError && error.delayMs !== undefined) return nak(error.delayMs);
  return nak(retryDelayMs(deliveryCount));
}

function settle(msg: JsMsg, outcome: Outcome): void {
  switch (outcome.kind) {
    case "ack":
      msg.ack();
      return;
    case "nak":
      msg.nak(outcome.delayMs);
      return;
    case "term":
      // No reason on the wire: nats-server 2.9 ignores a "+TERM <reason>" ack
      // entirely, leaving the message pending. The caller logs the reason.
      msg.term();
      return;
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
