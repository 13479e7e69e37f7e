import type { MessageEvent } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  errorMessage,
  nak,
  type Outcome,
  retryDelayMs,
  term,
} from "@smsgw/service-kit";
import type { Logger } from "pino";
import type postgres from "postgres";
import { appendEvents } from "../db/event-log.ts";
import { addToOutbox, type OutboxEntry } from "../db/outbox.ts";
import { lockProjections, writeProjections } from "../db/projection.ts";
import { foldMessage, isReported } from "../domain/fold.ts";
import { affectsProjection } from "../domain/message.ts";
import { recordCommitted } from "../metrics.ts";
import type { OutboxRelay } from "./outbox-relay.ts";

/**
 * The consumer's handler: one transaction per fetched batch appends the events, folds the
 * new ones into their messages and stores the resulting status changes in the outbox; after
 * the commit the changes are published. The deliveries are acked only then (by returning).
 */
export function createAppendHandler(deps: { sql: postgres.Sql; relay: OutboxRelay; log: Logger }) {
  const { sql, relay, log } = deps;

  return async function handle(
    batch: Delivery<MessageEvent>[],
  ): Promise<readonly Outcome[] | undefined> {
    let entries: OutboxEntry[];
    try {
      entries = await appendAndFold(
        sql,
        batch.map((d) => d.value),
      );
    } catch (error) {
      // Anything but bad data is retried by the consumer (nak with back-off).
      if (!isDataError(error)) throw error;
      log.warn({ err: errorMessage(error), size: batch.length }, "batch refused; event by event");
      return appendOneByOne(batch);
    }
    await relay.deliver(entries);
    return undefined;
  };

  /** Isolates the event the database refuses (e.g. a NUL in its data), so the rest goes on. */
  async function appendOneByOne(batch: Delivery<MessageEvent>[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const delivery of batch) {
      try {
        await relay.deliver(await appendAndFold(sql, [delivery.value]));
        outcomes.push(ACK);
      } catch (error) {
        outcomes.push(
          isDataError(error)
            ? term(
                `event ${delivery.value.eventId} refused by the database: ${errorMessage(error)}`,
              )
            : nak(retryDelayMs(delivery.deliveryCount)),
        );
      }
    }
    return outcomes;
  }
}

/** Appends, folds and fills the outbox in one transaction; returns the outbox entries. */
export async function appendAndFold(
  sql: postgres.Sql,
  events: readonly MessageEvent[],
): Promise<OutboxEntry[]> {
  let appended: ReadonlySet<string> = new Set();
  const entries = await sql.begin(async (tx) => {
    const fresh = await appendEvents(tx, events);
    appended = new Set(fresh);
    // The log said which events are new; a copy twice in the batch is folded once. Events
    // without a projection fact are only logged: their messages are not even read.
    const byMessage = new Map<string, MessageEvent[]>();
    for (const event of events) {
      if (!fresh.delete(event.eventId) || !affectsProjection(event)) continue;
      const list = byMessage.get(event.messageId);
      if (list) list.push(event);
      else byMessage.set(event.messageId, [event]);
    }
    if (byMessage.size === 0) return [];

    const owners = new Map([...byMessage].map(([id, list]) => [id, list[0]?.accountId ?? ""]));
    const states = await lockProjections(tx, owners);
    const folded = [...byMessage].map(([id, list]) => {
      const state = states.get(id);
      // Cannot happen (the rows were just created or found): fail the batch, never fold blind.
      if (!state) throw new Error(`projection of ${id} missing after locking`);
      return foldMessage(state, list);
    });
    await writeProjections(
      tx,
      folded.map((f) => f.state),
    );
    return addToOutbox(
      tx,
      folded.flatMap((f) => f.notifications.filter(isReported)),
    );
  });
  // Counted once committed, so a batch rolled back and retried counts once.
  recordCommitted(events, appended, entries);
  return entries;
}

/** SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (limits): retrying cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)/.test(code);
}
