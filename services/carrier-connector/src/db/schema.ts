import type { ColumnType, Generated, RawBuilder } from "kysely";

/**
 * The `connector` schema. `submissions` is the claim that makes a submit happen once per
 * (message, attempt); `parts` maps a carrier's message id back to the message and part. A
 * carrier may give an id again (0007): each part that held it keeps its row (key carrier_id,
 * carrier_message_id, message_id, part), and a receipt goes to the newest (domain/receipt-match).
 */
export interface SubmissionsTable {
  message_id: string;
  attempt: number;
  carrier_id: string;
  claimed_at: Generated<Date>;
  /** Added in 0004: the SubmitFailed data this claim ended in (null: submitted, or not yet done). */
  failure: ColumnType<unknown, RawBuilder<unknown> | null | undefined, RawBuilder<unknown> | null>;
  /** Added in 0005: the replica that claimed (null: claimed before 0005). */
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Added in 0008: the claiming statement's token (null: claimed before 0008). */
  claim_token: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PartsTable {
  carrier_id: string;
  /** Normalized by the carrier's idBase (normalizeCarrierMessageId). */
  carrier_message_id: string;
  message_id: string;
  /** For the envelope of the receipt events. */
  account_id: string;
  part: number;
  total_parts: number;
  /** The message's trace context, so receipts continue its trace. */
  traceparent: string | null;
  tracestate: string | null;
  submitted_at: ColumnType<Date, Date | undefined, Date>;
  /** Added in 0002; rows from before it get now() + 2 days. */
  valid_until: ColumnType<Date, Date | undefined, Date>;
  /** Its final receipt arrived (or the message was expired): the expiry sweep skips it. */
  final: ColumnType<boolean, boolean | undefined, boolean>;
  /** Parts this carrier id stands for: 1, or N for a message sent whole in message_payload. */
  covers: ColumnType<number, number | undefined, number>;
  /** Added in 0004: the id as the carrier wrote it (null for rows from before). */
  raw_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Added in 0006: the score key of the submit order, so a receipt counts under it. */
  score_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Carriers managed by the operator (admin API, CLI); when empty, env CARRIERS applies. */
export interface CarriersTable {
  id: string;
  /** The carrier as the config schema outputs it (defaults filled in). */
  config: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ConnectorDatabase {
  submissions: SubmissionsTable;
  parts: PartsTable;
  carriers: CarriersTable;
}
