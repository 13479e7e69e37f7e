import type { MessageStatus, PartStatus } from "@smsgw/contracts";

/** One part's receipt outcome, as the projection keeps it in `part_outcomes`. */
export interface PartOutcome {
  status: PartStatus;
  at: string;
  errorCode: string | null;
}

/**
 * The columns of an `event_store.messages` row this read model reads, as postgres.js reads
 * them (timestamptz -> Date, int8 -> string). The event store owns the table and writes it.
 */
export interface MessageRow {
  message_id: string;
  account_id: string;
  to_number: string | null;
  from_number: string | null;
  parts: number | null;
  cost: string | null;
  currency: string | null;
  reference: string | null;
  callback_url: string | null;
  created_at: Date | null;
  /** The schedule the message was accepted with (migration 0013 of the event store). */
  send_at: Date | null;
  valid_until: Date | null;
  /** Rows folded before it: an SMPP sender's message's validUntil (migration 0010). */
  smpp_valid_until: Date | null;
  part_outcomes: Record<string, PartOutcome>;
  /** Null until the message is accepted: such a row is not shown. */
  status: MessageStatus | null;
  error_code: string | null;
  queued_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  undelivered_at: Date | null;
  expired_at: Date | null;
  failed_at: Date | null;
  updated_at: Date | null;
}
