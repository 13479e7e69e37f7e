import { MESSAGE_STATUSES, type MessageStatus } from "@smsgw/contracts";
import type postgres from "postgres";
import type { MessageState, PartOutcome } from "../domain/message.ts";

/** A `messages` row as postgres.js reads it (timestamptz -> Date, int8 -> string). */
export interface MessageRow {
  message_id: string;
  account_id: string;
  accepted: boolean;
  to_number: string | null;
  from_number: string | null;
  parts: number | null;
  cost: string | null;
  currency: string | null;
  reference: string | null;
  callback_url: string | null;
  created_at: Date | null;
  submitted_at: Date | null;
  failure_at: Date | null;
  failure_code: string | null;
  validity_expired_at: Date | null;
  part_outcomes: Record<string, PartOutcome>;
  status: MessageStatus | null;
  status_seq: number;
  error_code: string | null;
  queued_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  undelivered_at: Date | null;
  expired_at: Date | null;
  failed_at: Date | null;
  updated_at: Date | null;
}

/** The column holding the time each status was reached. */
const STATUS_TIME_COLUMNS = {
  queued: "queued_at",
  sent: "sent_at",
  delivered: "delivered_at",
  undelivered: "undelivered_at",
  expired: "expired_at",
  failed: "failed_at",
} as const satisfies Record<MessageStatus, keyof MessageRow>;

/**
 * Creates the rows the batch's messages lack, then reads and locks them all in message-id
 * order: replicas folding overlapping batches take the locks in the same order, so they
 * wait for each other instead of deadlocking.
 */
export async function lockProjections(
  tx: postgres.TransactionSql,
  owners: ReadonlyMap<string, string>,
): Promise<Map<string, MessageState>> {
  const ids = [...owners.keys()].sort();
  const missing = ids.map((message_id) => ({ message_id, account_id: owners.get(message_id) }));
  await tx`
    insert into event_store.messages (message_id, account_id)
    select x.message_id, x.account_id
    from jsonb_to_recordset(${JSON.stringify(missing)}::text::jsonb)
      as x(message_id text, account_id text)
    order by x.message_id
    on conflict (message_id) do nothing`;
  const rows = await tx<MessageRow[]>`
    select * from event_store.messages
    where message_id = any(${ids}::text[])
    order by message_id
    for update`;
  return new Map(rows.map((row) => [row.message_id, stateOfRow(row)]));
}

/** Writes the folded states back in one statement. */
export async function writeProjections(
  tx: postgres.TransactionSql,
  states: readonly MessageState[],
): Promise<void> {
  if (states.length === 0) return;
  await tx`
    update event_store.messages m set
      accepted = x.accepted, to_number = x.to_number, from_number = x.from_number,
      parts = x.parts, cost = x.cost, currency = x.currency, reference = x.reference,
      callback_url = x.callback_url, created_at = x.created_at,
      submitted_at = x.submitted_at, failure_at = x.failure_at, failure_code = x.failure_code,
      validity_expired_at = x.validity_expired_at, part_outcomes = x.part_outcomes, status = x.status, status_seq = x.status_seq,
      error_code = x.error_code, queued_at = x.queued_at, sent_at = x.sent_at,
      delivered_at = x.delivered_at, undelivered_at = x.undelivered_at,
      expired_at = x.expired_at, failed_at = x.failed_at, updated_at = x.updated_at
    from jsonb_to_recordset(${JSON.stringify(states.map(rowOfState))}::text::jsonb) as x(
      message_id text, accepted boolean, to_number text, from_number text, parts integer,
      cost bigint, currency text, reference text, callback_url text, created_at timestamptz,
      submitted_at timestamptz, failure_at timestamptz, failure_code text,
      validity_expired_at timestamptz, part_outcomes jsonb,
      status text, status_seq integer, error_code text, queued_at timestamptz,
      sent_at timestamptz, delivered_at timestamptz, undelivered_at timestamptz,
      expired_at timestamptz, failed_at timestamptz, updated_at timestamptz)
    where m.message_id = x.message_id`;
}

export function statusTimesOfRow(row: MessageRow): Partial<Record<MessageStatus, string>> {
  const statusTimes: Partial<Record<MessageStatus, string>> = {};
  for (const status of MESSAGE_STATUSES) {
    const at = row[STATUS_TIME_COLUMNS[status]];
    if (at) statusTimes[status] = at.toISOString();
  }
  return statusTimes;
}

export function stateOfRow(row: MessageRow): MessageState {
  return {
    messageId: row.message_id,
    accountId: row.account_id,
    accepted:
      row.accepted && row.created_at
        ? {
            to: row.to_number ?? "",
            from: row.from_number ?? "",
            parts: row.parts ?? 1,
            cost: Number(row.cost ?? 0),
            currency: row.currency ?? "",
            reference: row.reference,
            callbackUrl: row.callback_url,
            createdAt: row.created_at.toISOString(),
          }
        : null,
    submittedAt: row.submitted_at?.toISOString() ?? null,
    failure: row.failure_at
      ? { at: row.failure_at.toISOString(), errorCode: row.failure_code }
      : null,
    validityExpiredAt: row.validity_expired_at?.toISOString() ?? null,
    partOutcomes: row.part_outcomes,
    status: row.status,
    statusSeq: row.status_seq,
    errorCode: row.error_code,
    statusTimes: statusTimesOfRow(row),
    updatedAt: row.updated_at?.toISOString() ?? null,
  };
}

/** The row in JSON form, for `jsonb_to_recordset` (times stay ISO strings). */
function rowOfState(state: MessageState) {
  const { accepted, statusTimes } = state;
  return {
    message_id: state.messageId,
    accepted: accepted !== null,
    to_number: accepted?.to ?? null,
    from_number: accepted?.from ?? null,
    parts: accepted?.parts ?? null,
    cost: accepted?.cost ?? null,
    currency: accepted?.currency ?? null,
    reference: accepted?.reference ?? null,
    callback_url: accepted?.callbackUrl ?? null,
    created_at: accepted?.createdAt ?? null,
    submitted_at: state.submittedAt,
    failure_at: state.failure?.at ?? null,
    failure_code: state.failure?.errorCode ?? null,
    validity_expired_at: state.validityExpiredAt,
    part_outcomes: state.partOutcomes,
    status: state.status,
    status_seq: state.statusSeq,
    error_code: state.errorCode,
    queued_at: statusTimes.queued ?? null,
    sent_at: statusTimes.sent ?? null,
    delivered_at: statusTimes.delivered ?? null,
    undelivered_at: statusTimes.undelivered ?? null,
    expired_at: statusTimes.expired ?? null,
    failed_at: statusTimes.failed ?? null,
    updated_at: state.updatedAt,
  };
}
