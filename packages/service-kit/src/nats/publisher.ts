import { createHash } from "node:crypto";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import {
  type EventBatch,
  type MessageEvent,
  type MessageStatusChanged,
  type StatusChangeBatch,
  type Subjects,
  statusChangeId,
} from "@smsgw/contracts";
import { eventsPublished } from "../telemetry/metrics.ts";
import { contextFromEnvelope, injectTraceHeaders } from "./trace-headers.ts";
import { createWindow } from "./window.ts";

export interface EventPublisher {
  /** Resolves once JetStream has stored the event (or recognised it as a duplicate). */
  publish(event: MessageEvent): Promise<void>;
  /** Publishes many with a window in flight; resolves when all are stored. */
  publishAll(events: readonly MessageEvent[]): Promise<void>;
  publishStatusChanges(changes: readonly MessageStatusChanged[]): Promise<void>;
  /**
   * The same changes as `StatusChangeBatch` envelopes (a chunk of one goes out alone, under
   * its own id): one stored publish per chunk instead of one per change (ADR 0009). Resolves
   * with where each envelope was stored (a duplicate: where its first copy was) and whose
   * changes it holds, so the copies of an erased message can be deleted (ADR 0021).
   */
  publishStatusChangeBatch(changes: readonly MessageStatusChanged[]): Promise<StoredEnvelope[]>;
  /**
   * Publishes events only the event store reads as `EventBatch` envelopes on `<p>.evt.batch`
   * (ADR 0009): one stored publish per chunk instead of one per event. Resolves when all
   * chunks are stored.
   */
  publishBatch(events: readonly MessageEvent[]): Promise<void>;
  /**
   * Events of ONE type on that type's own subject, as `EventBatch` envelopes (a chunk of one
   * goes out alone, under its own id): for events other services consume by type, which
   * take both forms (`singleOrBatch`). Resolves when all chunks are stored.
   */
  publishGrouped(events: readonly MessageEvent[]): Promise<void>;
}

/** Where a publish was stored in the stream, and the messages whose content it holds. */
export interface StoredEnvelope {
  seq: number;
  messageIds: string[];
}

/** Events per `EventBatch` publish: well under NATS's 1 MB payload with 1-2 KB events. */
export const EVENT_BATCH_CHUNK = 200;

/**
 * An envelope's payload at most, in bytes: NATS refuses a payload over the server's
 * `max_payload` (1 MiB by default) before sending it. 200 events at the door's limits (ten
 * parts of quotes, a 2 KB callback URL) come to about 1.2 MB: such an envelope is cut in two,
 * and again, until each half fits.
 */
export const MAX_ENVELOPE_BYTES = 768 * 1024;

/**
 * Sends `chunk` as one envelope when its payload fits, else as two halves (recursively); one
 * item is sent whatever its size. The halves are cut the same way every time, so a retried
 * batch is stored once by the same Nats-Msg-Ids.
 */
export async function sendFitting<T, B>(
  chunk: T[],
  envelopeOf: (chunk: T[]) => B,
  sendOne: (chunk: T[], envelope: B, payload: string) => Promise<void>,
  maxBytes = MAX_ENVELOPE_BYTES,
): Promise<void> {
  const envelope = envelopeOf(chunk);
  const payload = JSON.stringify(envelope);
  if (chunk.length > 1 && Buffer.byteLength(payload, "utf8") > maxBytes) {
    const half = Math.ceil(chunk.length / 2);
    const halves = [chunk.slice(0, half), chunk.slice(half)];
    await allParts(
      halves.map((items) => ({
        items,
        run: () => sendFitting(items, envelopeOf, sendOne, maxBytes),
      })),
    );
    return;
  }
  await sendOne(chunk, envelope, payload);
}

/**
 * Some envelopes of one publish were stored and others failed: the items that are stored, and
 * the failure of the rest (a `PublishNotStoredError` only when no stream took any of them). A
 * caller that answers per item must not answer "not stored" for the stored ones (ADR 0022).
 */
export class PartlyStoredError<T = unknown> extends Error {
  override name = "PartlyStoredError";
  readonly stored: readonly T[];
  readonly failure: unknown;
  constructor(stored: readonly T[], failure: unknown) {
    super(`${stored.length} stored; the rest failed: ${errorText(failure)}`, { cause: failure });
    this.stored = stored;
    this.failure = failure;
  }
}

/**
 * Runs the parts of one publish together. When some fail, throws their failure as it is if
 * nothing was stored, else a `PartlyStoredError` naming the items the others stored.
 */
async function allParts<T>(
  parts: ReadonlyArray<{ items: readonly T[]; run: () => Promise<void> }>,
): Promise<void> {
  const settled = await Promise.allSettled(parts.map((part) => part.run()));
  const stored: T[] = [];
  const failures: unknown[] = [];
  for (const [n, result] of settled.entries()) {
    const items = parts[n]?.items ?? [];
    if (result.status === "fulfilled") stored.push(...items);
    else if (result.reason instanceof PartlyStoredError) {
      stored.push(...(result.reason.stored as readonly T[]));
      failures.push(result.reason.failure);
    } else failures.push(result.reason);
  }
  if (failures.length === 0) return;
  // "Not stored" only when every failed part was: one of unknown outcome makes the rest unknown.
  const failure = failures.find((f) => !(f instanceof PublishNotStoredError)) ?? failures[0];
  throw stored.length === 0 ? failure : new PartlyStoredError(stored, failure);
}

/**
 * Errors of a stream that is momentarily without a leader (a JetStream cluster electing one
 * after a node died, ~2-5 s) or a connection that is reconnecting: worth another try.
 */
export function isTransientPublishError(error: unknown): boolean {
  const text = `${(error as { name?: unknown } | null)?.name ?? ""} ${String((error as { message?: unknown } | null)?.message ?? error)}`;
  return /no responders|not enabled|timeout|timed out|503|disconnect|reconnect/i.test(text);
}

/**
 * Every attempt of a publish was answered "no responders": no stream listened on the subject,
 * so none stored it. A definite failure, unlike a timeout, after which the message may well be
 * stored with its acknowledgement lost (ADR 0022). Its message keeps "no responders", so
 * checks on the text go on classifying it as before.
 */
export class PublishNotStoredError extends Error {
  override name = "PublishNotStoredError";
}

/** The server said no stream took it (nats.js reports JetStreamNotEnabled, caused by no responders). */
function nobodyTookIt(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const text = `${(error as { name?: unknown } | null)?.name ?? ""} ${String((error as { message?: unknown } | null)?.message ?? error)} ${String((cause as { message?: unknown } | null)?.message ?? "")}`;
  return /no responders|JetStreamNotEnabled/i.test(text);
}

/**
 * Publishes, retrying transient failures with growing pauses for up to `retryForMs`: the
 * msgID (required) makes a retry safe. Fails with `PublishNotStoredError` when every attempt
 * found no stream; with the last attempt's error (the outcome unknown) otherwise.
 */
export async function publishWithRetry(
  js: JetStreamClient,
  subject: string,
  body: string,
  opts: NonNullable<Parameters<JetStreamClient["publish"]>[2]> & {
    msgID: string;
    retryForMs: number;
  },
): Promise<PubAck> {
  const { retryForMs, ...publishOptions } = opts;
  const giveUpAt = Date.now() + retryForMs;
  let maybeStored = false;
  for (let pause = 100; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await js.publish(subject, body, publishOptions);
    } catch (error) {
      if (!nobodyTookIt(error)) maybeStored = true;
      if (!isTransientPublishError(error) || Date.now() + pause > giveUpAt) {
        if (maybeStored) throw error;
        throw new PublishNotStoredError(`not stored (no responders): ${errorText(error)}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

export function createEventPublisher(
  js: JetStreamClient,
  subjects: Subjects,
  options: { maxInFlight?: number; timeoutMs?: number; retryForMs?: number } = {},
): EventPublisher {
  const window = createWindow(options.maxInFlight ?? 256);
  const timeout = options.timeoutMs ?? 5_000;
  // Long enough to ride out a leader election; a caller waiting on HTTP still gets its
  // answer well within the API's 30 s ceiling.
  const retryForMs = options.retryForMs ?? 8_000;

  function send(
    kind: string,
    subject: string,
    msgID: string,
    body: MessageEvent | MessageStatusChanged | EventBatch | StatusChangeBatch,
    payload = JSON.stringify(body),
  ): Promise<number> {
    // The event's own trace when it carries one (a batch handler has no single active
    // context), else the caller's active one, taken at the call.
    const headers = natsHeaders();
    const trace = "trace" in body ? body.trace : undefined;
    injectTraceHeaders(headers, trace ? contextFromEnvelope(trace) : undefined);
    return window.run(async () => {
      try {
        // Nats-Msg-Id = the event's deterministic id: a handler that runs twice, or a
        // publish retried after a lost ack, is stored once.
        const ack = await publishWithRetry(js, subject, payload, {
          msgID,
          headers,
          timeout,
          retryForMs,
        });
        eventsPublished.inc({ kind, result: "ok" });
        return ack.seq;
      } catch (error) {
        eventsPublished.inc({ kind, result: "error" });
        throw error;
      }
    });
  }

  const publish = async (event: MessageEvent) => {
    await send(event.type, subjects.event(event.type, carrierOf(event)), event.eventId, event);
  };
  const publishStatusChange = (change: MessageStatusChanged) =>
    send(
      "MessageStatusChanged",
      subjects.statusChanged,
      statusChangeId(change.messageId, change.sequence),
      change,
    );
  const eventBatchOf = (events: MessageEvent[]): EventBatch => ({
    type: "EventBatch",
    version: 1,
    events,
  });
  /** Events in one `EventBatch` on the subject (or more, see sendFitting), under a digest of their ids. */
  const envelopeOn = (subject: string) => (chunk: MessageEvent[]) =>
    sendFitting(chunk, eventBatchOf, async (events, batch, payload) => {
      const id = eventBatchId(events.map((event) => event.eventId));
      await send("EventBatch", subject, id, batch, payload);
    });

  const statusBatchOf = (changes: MessageStatusChanged[]): StatusChangeBatch => ({
    type: "StatusChangeBatch",
    version: 1,
    changes,
  });

  return {
    publish,
    async publishAll(events) {
      await Promise.all(events.map(publish));
    },
    async publishStatusChanges(changes) {
      await Promise.all(changes.map(publishStatusChange));
    },
    async publishStatusChangeBatch(changes) {
      const stored: StoredEnvelope[] = [];
      const record = (chunk: readonly MessageStatusChanged[]) => (seq: number) => {
        stored.push({ seq, messageIds: [...new Set(chunk.map((change) => change.messageId))] });
      };
      await inChunks(
        changes,
        (change) => publishStatusChange(change).then(record([change])),
        (chunk) =>
          sendFitting(chunk, statusBatchOf, async (changes, batch, payload) => {
            const ids = changes.map((change) => statusChangeId(change.messageId, change.sequence));
            const seq = await send(
              "StatusChangeBatch",
              subjects.statusChanged,
              eventBatchId(ids),
              batch,
              payload,
            );
            record(changes)(seq);
          }),
      );
      return stored;
    },
    async publishBatch(events) {
      const send = envelopeOn(subjects.eventBatch);
      await allParts(chunksOf(events).map((items) => ({ items, run: () => send(items) })));
    },
    async publishGrouped(events) {
      const [first] = events;
      if (!first) return;
      if (events.some((event) => event.type !== first.type)) {
        throw new Error("publishGrouped takes events of one type");
      }
      await inChunks(events, publish, envelopeOn(subjects.event(first.type, carrierOf(first))));
    },
  };
}

/**
 * Each chunk of the items goes out alone when it holds one item, else as one envelope; when
 * some chunks fail, a `PartlyStoredError` names the items of the others.
 */
export async function inChunks<T>(
  items: readonly T[],
  alone: (item: T) => Promise<void>,
  together: (chunk: T[]) => Promise<void>,
): Promise<void> {
  await allParts(
    chunksOf(items).map((chunk) => {
      const [only] = chunk;
      return {
        items: chunk,
        run: () => (chunk.length === 1 && only ? alone(only) : together(chunk)),
      };
    }),
  );
}

function chunksOf<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += EVENT_BATCH_CHUNK) {
    chunks.push(items.slice(at, at + EVENT_BATCH_CHUNK));
  }
  return chunks;
}

function carrierOf(event: MessageEvent): string | undefined {
  return event.type === "MessageRouted" ? event.data.carrierId : undefined;
}

/**
 * A batch's Nats-Msg-Id: a digest of its event ids, so the same batch retried is stored
 * once, and two different batches never collide (a collision would drop one as a duplicate).
 */
export function eventBatchId(eventIds: readonly string[]): string {
  const digest = createHash("sha256");
  for (const id of eventIds) digest.update(id).update("\n");
  return `batch:${digest.digest("base64url")}`;
}

function errorText(error: unknown): string {
  return String((error as { message?: unknown } | null)?.message ?? error);
}
