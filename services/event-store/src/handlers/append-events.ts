import type { MessageEvent, MessageStatusChanged } from "@smsgw/contracts";
import {
  ACK,
  contextFromEnvelope,
  type Delivery,
  type EventPublisher,
  errorMessage,
  nak,
  type Outcome,
  retryDelayMs,
  SpanKind,
  type StoredEnvelope,
  serviceTracer,
  term,
  traceContextOf,
} from "@smsgw/service-kit";
import type { Logger } from "pino";
import type postgres from "postgres";
import { eraseLateContent } from "../db/erasure.ts";
import { appendAndReadProjections } from "../db/event-log.ts";
import { stateOfRow, upsertProjections } from "../db/projection.ts";
import type { StatusPublishLog } from "../db/status-publish-log.ts";
import { lateContentCandidates } from "../domain/erasure.ts";
import { foldMessage, isReported, statusChangesOf } from "../domain/fold.ts";
import { affectsProjection, initialState, type MessageState } from "../domain/message.ts";
import { type EventDelivery, type UnpackedEvent, unpack } from "../domain/raw-event.ts";
import { contentCopiesOf } from "../domain/stream-erasure.ts";
import { recordCommitted } from "../metrics.ts";

/** Another replica folded one of the batch's messages meanwhile: fold the batch again. */
class ProjectionRaced extends Error {
  override name = "ProjectionRaced";
}
const MAX_RACES = 5;

/**
 * The consumer's handler (ADR 0009): one transaction per fetched batch appends the events
 * as published and folds the new ones into their messages (two statements); after the commit
 * the status changes are published and where their envelopes went remembered (recorded by
 * the next batch's transaction, ADR 0021), and only then are the deliveries acked (by
 * returning).
 * The unacked delivery is the outbox: a batch redelivered after its commit finds its events
 * logged and publishes its messages' status changes again, derived from the projection.
 */
export function createAppendHandler(deps: {
  sql: postgres.Sql;
  publisher: Pick<EventPublisher, "publishStatusChangeBatch">;
  log: Logger;
  /** Where the status envelopes went (ADR 0021); absent: not recorded. */
  publishLog?: StatusPublishLog;
}) {
  const { sql, publisher, log, publishLog } = deps;
  const remember = (stored: Awaited<ReturnType<EventPublisher["publishStatusChangeBatch"]>>) =>
    publishLog?.add(stored);

  return async function handle(
    batch: Delivery<EventDelivery>[],
  ): Promise<readonly Outcome[] | undefined> {
    const unpacked = batch.map((delivery) => unpackLogged(delivery, log));
    let changes: MessageStatusChanged[];
    try {
      changes = await appendAndFold(
        sql,
        unpacked.flat(),
        redeliveredDeliveries(batch, unpacked),
        publishLog,
      );
    } catch (error) {
      // Anything but bad data is retried by the consumer (nak with back-off).
      if (!isDataError(error)) throw error;
      log.warn({ err: errorMessage(error), size: batch.length }, "batch refused; one by one");
      return appendOneByOne(batch, unpacked);
    }
    remember(await publisher.publishStatusChangeBatch(changes));
    return undefined;
  };

  /** Isolates the delivery the database refuses (e.g. a NUL in its data), so the rest goes on. */
  async function appendOneByOne(
    batch: Delivery<EventDelivery>[],
    unpacked: UnpackedEvent[][],
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const [index, delivery] of batch.entries()) {
      const events = unpacked[index] ?? [];
      try {
        const redelivered = redeliveredDeliveries([delivery], [events]);
        const changes = await appendAndFold(sql, events, redelivered, publishLog);
        remember(await publisher.publishStatusChangeBatch(changes));
        outcomes.push(ACK);
      } catch (error) {
        outcomes.push(
          isDataError(error)
            ? term(`delivery refused by the database: ${errorMessage(error)}`)
            : nak(retryDelayMs(delivery.deliveryCount)),
        );
      }
    }
    return outcomes;
  }
}

const tracer = serviceTracer("event-store");

function unpackLogged(delivery: Delivery<EventDelivery>, log: Logger): UnpackedEvent[] {
  const { events, rejected } = unpack(delivery.value, delivery.storedAtMs);
  for (const event of events) event.seq = delivery.seq;
  if (rejected.length > 0) {
    log.error({ subject: delivery.subject, rejected }, "events without a valid envelope skipped");
  }
  if (delivery.value.type === "EventBatch") for (const { known } of events) continueTrace(known);
  return events;
}

/**
 * The consumer kit gives each delivery a span; the events of a batch get one each here, so
 * the status changes they cause (which carry the event's trace) continue the message's own
 * trace through the event store. The logged record keeps the producer's trace.
 */
function continueTrace(event: MessageEvent | null): void {
  if (!event?.trace) return;
  const parent = contextFromEnvelope(event.trace);
  const span = tracer.startSpan("event-store fold", { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) event.trace = traceContextOf(span, parent);
  span.end();
}

/**
 * The deliveries seen before, each by the events of it that move a status (the only ones
 * whose status changes a lost publish could have lost). Whether one was stored before is
 * decided in the transaction (`attempt`).
 */
function redeliveredDeliveries(
  batch: readonly Delivery<EventDelivery>[],
  unpacked: readonly UnpackedEvent[][],
): Redelivered[] {
  const seen: Redelivered[] = [];
  for (const [index, delivery] of batch.entries()) {
    if (delivery.deliveryCount <= 1) continue;
    const moving = (unpacked[index] ?? []).filter(
      ({ known }) => known !== null && affectsProjection(known),
    );
    if (moving.length === 0) continue;
    seen.push({
      eventIds: moving.map(({ raw }) => raw.eventId),
      messageIds: [...new Set(moving.map(({ raw }) => raw.messageId))],
    });
  }
  return seen;
}

/** A delivery seen before: the ids of its events that move a status, and their messages. */
export interface Redelivered {
  eventIds: readonly string[];
  messageIds: readonly string[];
}

/**
 * The messages whose status changes are published again: those of the redelivered
 * deliveries that were stored before (none of their events new to the log). A batch commits
 * whole, so one new event says the delivery's earlier try never committed (naked at a stop,
 * rolled back), and its events' own changes are published as they fold: republishing the
 * message's history too sent every past receipt again after each restart.
 */
export function republishedMessages(
  redelivered: readonly Redelivered[],
  fresh: ReadonlySet<string>,
): Set<string> {
  const ids = new Set<string>();
  for (const delivery of redelivered) {
    if (delivery.eventIds.some((id) => fresh.has(id))) continue;
    for (const id of delivery.messageIds) ids.add(id);
  }
  return ids;
}

/**
 * Appends, folds and writes the projections in one transaction (retried when another
 * replica raced it); returns the status changes to publish: those the new events caused,
 * plus those already made for the messages of redelivered deliveries.
 */
export async function appendAndFold(
  sql: postgres.Sql,
  events: readonly UnpackedEvent[],
  redelivered: readonly Redelivered[] = [],
  publishLog?: StatusPublishLog,
): Promise<MessageStatusChanged[]> {
  for (let race = 1; ; race++) {
    try {
      const envelopes = publishLog?.pending() ?? [];
      const changes = await attempt(sql, events, redelivered, envelopes);
      publishLog?.recorded(envelopes);
      return changes;
    } catch (error) {
      if (!(error instanceof ProjectionRaced) || race >= MAX_RACES) throw error;
    }
  }
}

async function attempt(
  sql: postgres.Sql,
  events: readonly UnpackedEvent[],
  redeliveries: readonly Redelivered[],
  envelopes: readonly StoredEnvelope[],
): Promise<MessageStatusChanged[]> {
  const folding = events.filter(
    (e): e is UnpackedEvent & { known: MessageEvent } =>
      e.known !== null && affectsProjection(e.known),
  );
  // Every message a republish may need is read: the log says which ones it does.
  const messageIds = new Set(folding.map((e) => e.raw.messageId));
  for (const delivery of redeliveries) for (const id of delivery.messageIds) messageIds.add(id);
  let fresh: ReadonlySet<string> = new Set();
  const changes = await sql.begin(async (tx) => {
    // The status envelopes of the batches before ride along (ADR 0021).
    const read = await appendAndReadProjections(tx, events, [...messageIds], envelopes);
    fresh = read.fresh;
    const redelivered = republishedMessages(redeliveries, read.fresh);
    // A refused submit logged after its message was erased brings the content back: erased
    // too, and its stream copies queued for deletion.
    await eraseLateContent(tx, withCopies(events, read.fresh));
    const current = new Map(
      read.rows.map((row) => [row.message_id, { state: stateOfRow(row), revision: row.revision }]),
    );
    // The log said which events are new; a copy twice in the batch is folded once.
    const byMessage = new Map<string, MessageEvent[]>();
    const seen = new Set<string>();
    for (const { raw, known } of folding) {
      if (!read.fresh.has(raw.eventId) || seen.has(raw.eventId)) continue;
      seen.add(raw.eventId);
      const list = byMessage.get(raw.messageId);
      if (list) list.push(known);
      else byMessage.set(raw.messageId, [known]);
    }
    const writes: Array<{ state: MessageState; revision: number }> = [];
    const published: MessageStatusChanged[] = [];
    for (const [id, list] of byMessage) {
      const before = current.get(id) ?? {
        state: initialState(id, list[0]?.accountId ?? ""),
        revision: 0,
      };
      const folded = foldMessage(before.state, list);
      writes.push({ state: folded.state, revision: before.revision });
      const made = redelivered.has(id) ? statusChangesOf(folded.state) : folded.notifications;
      published.push(...made.filter((n) => isReported(folded.state, n)));
    }
    const written = await upsertProjections(tx, writes);
    if (written.size < writes.length) throw new ProjectionRaced();
    for (const id of redelivered) {
      const known = current.get(id);
      if (!known || byMessage.has(id)) continue;
      published.push(...statusChangesOf(known.state).filter((n) => isReported(known.state, n)));
    }
    return published;
  });
  // Counted once committed, so a batch rolled back and retried counts once.
  recordCommitted(
    events.map((e) => e.raw),
    fresh,
    changes,
  );
  return changes;
}

/**
 * The new events that carry content into the log (`lateContentCandidates`: none on the
 * normal path), each with its stream copies: its own delivery's and its order's.
 */
function withCopies(events: readonly UnpackedEvent[], fresh: ReadonlySet<string>) {
  const seqs = new Map<string, number>();
  for (const { raw, seq } of events) if (seq !== undefined) seqs.set(raw.eventId, seq);
  const candidates = lateContentCandidates(
    events.map((e) => e.raw).filter((e) => fresh.has(e.eventId)),
  );
  return candidates.map((candidate) => ({
    ...candidate,
    copies: contentCopiesOf([
      { streamSeq: seqs.get(candidate.event_id) ?? null, changed: true, data: candidate.data },
    ]),
  }));
}

/** SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (limits): retrying cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)/.test(code);
}
