import type { ColumnType, Generated } from "kysely";

/** The tables of schema `event_store` (migrations.ts makes them). */
export interface EventStoreDb {
  events: EventsTable;
  messages: MessagesTable;
  outbox: OutboxTable;
  status_publishes: StatusPublishesTable;
  stream_erasures: StreamErasuresTable;
  erased_recently: ErasedRecentlyTable;
}

export const SCHEMA = "event_store";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** postgres.js reads int8 as a string (it may exceed 2^53); ours are money units and seqs. */
type Int8 = ColumnType<string, number | string, number | string>;

/** The append-only log: one row per event, whatever the number of deliveries. */
export interface EventsTable {
  /** Insertion order; the audit trail's order and its cursor. */
  seq: Generated<Int8>;
  event_id: string;
  message_id: string;
  account_id: string;
  type: string;
  version: number;
  occurred_at: Timestamp;
  recorded_at: Generated<Timestamp>;
  data: unknown;
  trace: unknown | null;
  /** Envelope fields this version does not know, kept as published (the log is lossless). */
  extra: unknown | null;
  /** The stream sequence of the message that brought the event (ADR 0021); null before 0012. */
  stream_seq: Int8 | null;
}

/**
 * The status projection, one row per message (domain/message.ts `MessageState`).
 * Facts: the accepted columns (null until `accepted`), `submitted_at`, `failure_*`,
 * `part_outcomes`, `updated_at`. Derived: `status` (null until accepted), `status_seq`,
 * `error_code` and the time each status was reached (`queued_at` … `failed_at`).
 */
export interface MessagesTable {
  message_id: string;
  account_id: string;
  accepted: Generated<boolean>;
  to_number: string | null;
  from_number: string | null;
  parts: number | null;
  cost: Int8 | null;
  currency: string | null;
  reference: string | null;
  callback_url: string | null;
  created_at: Timestamp | null;
  submitted_at: Timestamp | null;
  failure_at: Timestamp | null;
  failure_code: string | null;
  validity_expired_at: Timestamp | null;
  /** `{ "<part>": { status, at, errorCode } }` */
  part_outcomes: Generated<unknown>;
  status: string | null;
  status_seq: Generated<number>;
  error_code: string | null;
  queued_at: Timestamp | null;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  undelivered_at: Timestamp | null;
  expired_at: Timestamp | null;
  failed_at: Timestamp | null;
  updated_at: Timestamp | null;
  callback_statuses: string[] | null;
  /** `final` or `failure`: the SMPP receipts the message wants (api.md section 6); else null. */
  smpp_receipt: string | null;
  /** The schedule it was accepted with (migration 0013): when to send, until when it may be. */
  send_at: Timestamp | null;
  valid_until: Timestamp | null;
  /**
   * The message's validUntil, only when it wants SMPP receipts (migration 0010); else null.
   * Still written beside valid_until, for a replica of the version before during a rollout.
   */
  smpp_valid_until: Timestamp | null;
  /** When the text and number were erased (ADR 0021); null while they are kept. */
  redacted_at: Timestamp | null;
  /** Counts the row's writes: the fold's optimistic check (ADR 0009). */
  revision: Generated<number>;
}

/** Before ADR 0009: status changes committed with the fold, not yet published (now drained at start). */
export interface OutboxTable {
  /** `statusChangeId(messageId, sequence)`: also the Nats-Msg-Id, so a republish is dropped. */
  id: string;
  message_id: string;
  /** The `MessageStatusChanged` body. */
  payload: unknown;
  created_at: Generated<Timestamp>;
}

/** Where each status-change envelope the event store published sits in the stream (ADR 0021). */
export interface StatusPublishesTable {
  seq: Int8;
  message_ids: string[];
  published_at: Generated<Timestamp>;
}

/** Stream messages holding erased content, waiting to be deleted (ADR 0021). */
export interface StreamErasuresTable {
  seq: Int8;
  queued_at: Generated<Timestamp>;
}

/** Messages erased lately, until `until`: their late-recorded status envelopes are queued too. */
export interface ErasedRecentlyTable {
  message_id: string;
  until: Timestamp;
}
