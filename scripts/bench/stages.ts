import postgres from "postgres";
import { type Summary, summarize } from "./stats.ts";

/**
 * Where a step's end-to-end time went, stage by stage, per accepted message: the request's
 * answer, acceptance until a carrier took the message (`sent`), the carrier's receipt
 * (`delivered` or another final status at the connector), and the final report's way to the
 * receiver. The times come from the event store's projection (each status's time, as the
 * service that saw it stamped it) and the bench's own clocks; one machine, one clock.
 */
export interface StageLatencies {
  /** Request sent → the ingress's acceptance (`createdAt`). */
  accept: Summary;
  /** Acceptance → a carrier's `submit_sm_resp` (`sent`). */
  toCarrier: Summary;
  /** `sent` → the receipt's final status at the connector. */
  receipt: Summary;
  /** The receipt's final status → the final webhook at the receiver. */
  report: Summary;
}

export interface MessageTimes {
  createdAt: number;
  sentAt: number | null;
  finalAt: number | null;
}

/** The stages of the messages known to all three sources (request, projection, receiver). */
export function stageLatencies(
  requestSentAt: ReadonlyMap<string, number>,
  times: ReadonlyMap<string, MessageTimes>,
  reportedAt: ReadonlyMap<string, number>,
): StageLatencies {
  const accept: number[] = [];
  const toCarrier: number[] = [];
  const receipt: number[] = [];
  const report: number[] = [];
  for (const [messageId, t] of times) {
    const sent = requestSentAt.get(messageId);
    const reported = reportedAt.get(messageId);
    if (sent === undefined || reported === undefined) continue;
    accept.push(t.createdAt - sent);
    if (t.sentAt !== null) toCarrier.push(t.sentAt - t.createdAt);
    if (t.sentAt !== null && t.finalAt !== null) receipt.push(t.finalAt - t.sentAt);
    if (t.finalAt !== null) report.push(reported - t.finalAt);
  }
  return {
    accept: summarize(accept),
    toCarrier: summarize(toCarrier),
    receipt: summarize(receipt),
    report: summarize(report),
  };
}

/** The projection's times of these messages (the bench's database, schema `event_store`). */
export async function readMessageTimes(
  databaseUrl: string,
  messageIds: readonly string[],
): Promise<Map<string, MessageTimes>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  const times = new Map<string, MessageTimes>();
  try {
    const ms = (d: Date | null) => (d === null ? null : d.getTime());
    for (let i = 0; i < messageIds.length; i += 5_000) {
      const rows = await sql<
        Array<{ message_id: string; created_at: Date; sent_at: Date | null; final_at: Date | null }>
      >`select message_id, created_at, sent_at,
          coalesce(delivered_at, undelivered_at, expired_at, failed_at) as final_at
        from event_store.messages
        where message_id = any(${messageIds.slice(i, i + 5_000) as string[]}) and created_at is not null`;
      for (const row of rows) {
        times.set(row.message_id, {
          createdAt: row.created_at.getTime(),
          sentAt: ms(row.sent_at),
          finalAt: ms(row.final_at),
        });
      }
    }
  } finally {
    await sql.end();
  }
  return times;
}
