import {
  type ErrorCode,
  MESSAGE_STATUSES,
  type MessageStatus,
  publicErrorCode,
} from "@smsgw/contracts";
import type { MessageRow, PartOutcome } from "./message-row.ts";

/** A message as `GET /v1/messages/{id}` shows it. */
export interface MessageView {
  messageId: string;
  accountId: string;
  status: MessageStatus;
  to: string;
  from: string;
  parts: number;
  /** Money units (contracts/money.ts). */
  cost: number;
  currency: string;
  reference: string | null;
  /** One of the documented codes (ADR 0017), never the carrier's own. */
  errorCode: ErrorCode | null;
  createdAt: string;
  updatedAt: string;
  /** When each status the message reached was reached. */
  statusTimes: Partial<Record<MessageStatus, string>>;
  /** When it is to be sent, as accepted; null: at once (or accepted before it was kept). */
  sendAt: string | null;
  /** Until when it may be delivered, as accepted; null: the gateway's default validity. */
  validUntil: string | null;
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

export function viewOfRow(row: MessageRow): MessageView {
  const createdAt = row.created_at?.toISOString() ?? "";
  return {
    messageId: row.message_id,
    accountId: row.account_id,
    status: row.status ?? "queued",
    to: row.to_number ?? "",
    from: row.from_number ?? "",
    parts: row.parts ?? 0,
    cost: Number(row.cost ?? 0),
    currency: row.currency ?? "",
    reference: row.reference,
    // Rows folded before ADR 0017 hold the carrier's raw code: read as the documented one.
    errorCode: publicErrorCode(row.error_code),
    createdAt,
    updatedAt: row.updated_at?.toISOString() ?? createdAt,
    statusTimes: statusTimesOfRow(row),
    sendAt: row.send_at?.toISOString() ?? null,
    validUntil: validUntilOfRow(row),
  };
}

/**
 * The message's validUntil, ISO UTC, or null: rows folded before migration 0013 of the event
 * store kept it for SMPP senders only (`smpp_valid_until`).
 */
export function validUntilOfRow(row: Pick<MessageRow, "valid_until" | "smpp_valid_until">) {
  return (row.valid_until ?? row.smpp_valid_until)?.toISOString() ?? null;
}

/** The time each status was reached, from a `messages` row's `<status>_at` columns. */
export function statusTimesOfRow(
  row: Pick<MessageRow, (typeof STATUS_TIME_COLUMNS)[MessageStatus]>,
): Partial<Record<MessageStatus, string>> {
  const statusTimes: Partial<Record<MessageStatus, string>> = {};
  for (const status of MESSAGE_STATUSES) {
    const at = row[STATUS_TIME_COLUMNS[status]];
    if (at) statusTimes[status] = at.toISOString();
  }
  return statusTimes;
}

export type PublicPartOutcome = Omit<PartOutcome, "errorCode"> & { errorCode: ErrorCode | null };

/**
 * Each part's outcome with the documented error code only (rows folded before ADR 0017 hold
 * the carrier's raw one).
 */
export function publicPartOutcomes(
  outcomes: Readonly<Record<string, PartOutcome>> | null,
): Record<string, PublicPartOutcome> {
  return Object.fromEntries(
    Object.entries(outcomes ?? {}).map(([part, outcome]) => [
      part,
      { ...outcome, errorCode: publicErrorCode(outcome.errorCode) },
    ]),
  );
}
