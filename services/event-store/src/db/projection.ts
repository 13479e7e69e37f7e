import { type MessageStatus, publicErrorCode, type SmppReceiptMask } from "@smsgw/contracts";
import {
  publicPartOutcomes,
  type MessageRow as ReadModelRow,
  statusTimesOfRow,
  validUntilOfRow,
} from "@smsgw/message-read-model";
import type postgres from "postgres";
import type { MessageState } from "../domain/message.ts";

/**
 * A `messages` row as postgres.js reads it: the columns the read model shows, and those only
 * the fold uses.
 */
export interface MessageRow extends ReadModelRow {
  accepted: boolean;
  callback_statuses: MessageStatus[] | null;
  smpp_receipt: SmppReceiptMask | null;
  /**
   * An SMPP sender's validUntil (migration 0010): read for rows folded before 0013, and still
   * written for the version before it during a rollout.
   */
  smpp_valid_until: Date | null;
  submitted_at: Date | null;
  failure_at: Date | null;
  failure_code: string | null;
  validity_expired_at: Date | null;
  status_seq: number;
  /** Counts the writes of the row: the optimistic check of `upsertProjections`. */
  revision: number;
}

/**
 * Writes the folded states in one statement: new messages are inserted, known ones updated,
 * each only if its `revision` is still the one the fold started from (optimistic
 * concurrency, ADR 0009: a replica's batches never overlap, so only another replica folding
 * the same message meanwhile can move it). Returns the ids written; a missing one lost the
 * race and its batch is folded again.
 */
export async function upsertProjections(
  tx: postgres.TransactionSql,
  states: ReadonlyArray<{ state: MessageState; revision: number }>,
): Promise<Set<string>> {
  if (states.length === 0) return new Set();
  const rows = await tx<Array<{ message_id: string }>>`
    insert into event_store.messages (
      message_id, account_id, accepted, to_number, from_number, parts, cost, currency,
      reference, callback_url, callback_statuses, smpp_receipt, smpp_valid_until, send_at,
      valid_until, created_at, submitted_at, failure_at,
      failure_code, validity_expired_at, part_outcomes, status, status_seq, error_code,
      queued_at, sent_at, delivered_at, undelivered_at, expired_at, failed_at, updated_at,
      revision)
    select x.message_id, x.account_id, x.accepted, x.to_number, x.from_number, x.parts, x.cost,
      x.currency, x.reference, x.callback_url, x.callback_statuses, x.smpp_receipt,
      x.smpp_valid_until, x.send_at, x.valid_until, x.created_at,
      x.submitted_at, x.failure_at, x.failure_code, x.validity_expired_at, x.part_outcomes,
      x.status, x.status_seq, x.error_code, x.queued_at, x.sent_at, x.delivered_at,
      x.undelivered_at, x.expired_at, x.failed_at, x.updated_at, x.revision
    from jsonb_to_recordset(${JSON.stringify(states.map(rowOfState))}::text::jsonb) as x(
      message_id text, account_id text, accepted boolean, to_number text, from_number text,
      parts integer, cost bigint, currency text, reference text, callback_url text,
      callback_statuses text[], smpp_receipt text, smpp_valid_until timestamptz,
      send_at timestamptz, valid_until timestamptz, created_at timestamptz,
      submitted_at timestamptz,
      failure_at timestamptz, failure_code text, validity_expired_at timestamptz,
      part_outcomes jsonb, status text, status_seq integer, error_code text,
      queued_at timestamptz, sent_at timestamptz, delivered_at timestamptz,
      undelivered_at timestamptz, expired_at timestamptz, failed_at timestamptz,
      updated_at timestamptz, revision integer)
    on conflict (message_id) do update set
      accepted = excluded.accepted, to_number = excluded.to_number,
      from_number = excluded.from_number, parts = excluded.parts, cost = excluded.cost,
      currency = excluded.currency, reference = excluded.reference,
      callback_url = excluded.callback_url, callback_statuses = excluded.callback_statuses,
      smpp_receipt = excluded.smpp_receipt, smpp_valid_until = excluded.smpp_valid_until,
      send_at = excluded.send_at, valid_until = excluded.valid_until,
      created_at = excluded.created_at, submitted_at = excluded.submitted_at,
      failure_at = excluded.failure_at, failure_code = excluded.failure_code,
      validity_expired_at = excluded.validity_expired_at,
      part_outcomes = excluded.part_outcomes, status = excluded.status,
      status_seq = excluded.status_seq, error_code = excluded.error_code,
      queued_at = excluded.queued_at, sent_at = excluded.sent_at,
      delivered_at = excluded.delivered_at, undelivered_at = excluded.undelivered_at,
      expired_at = excluded.expired_at, failed_at = excluded.failed_at,
      updated_at = excluded.updated_at, revision = excluded.revision
    where event_store.messages.revision = excluded.revision - 1
    returning message_id`;
  return new Set(rows.map((row) => row.message_id));
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
            callbackStatuses: row.callback_statuses,
            smppReceipt: row.smpp_receipt,
            sendAt: row.send_at?.toISOString() ?? null,
            validUntil: validUntilOfRow(row),
            createdAt: row.created_at.toISOString(),
          }
        : null,
    submittedAt: row.submitted_at?.toISOString() ?? null,
    failure: row.failure_at
      ? { at: row.failure_at.toISOString(), errorCode: publicErrorCode(row.failure_code) }
      : null,
    validityExpiredAt: row.validity_expired_at?.toISOString() ?? null,
    // Rows written before ADR 0017 hold raw codes: read as the documented ones.
    partOutcomes: publicPartOutcomes(row.part_outcomes),
    status: row.status,
    statusSeq: row.status_seq,
    errorCode: publicErrorCode(row.error_code),
    statusTimes: statusTimesOfRow(row),
    updatedAt: row.updated_at?.toISOString() ?? null,
  };
}

/** The row in JSON form, for `jsonb_to_recordset` (times stay ISO strings). */
function rowOfState({ state, revision }: { state: MessageState; revision: number }) {
  const { accepted, statusTimes } = state;
  return {
    message_id: state.messageId,
    account_id: state.accountId,
    revision: revision + 1,
    callback_statuses: accepted?.callbackStatuses ?? null,
    smpp_receipt: accepted?.smppReceipt ?? null,
    send_at: accepted?.sendAt ?? null,
    valid_until: accepted?.validUntil ?? null,
    // What the version before reads (it knows no valid_until): kept while one may run beside.
    smpp_valid_until: accepted?.smppReceipt ? accepted.validUntil : null,
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
