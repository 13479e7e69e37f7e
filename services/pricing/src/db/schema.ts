import type { ApiKeyRecord, LiveRequestStatus } from "@smsgw/contracts";
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/**
 * Tables of the `pricing` schema. Money columns are bigint: the driver hands them back
 * as strings, which `toUnits` (below) turns into safe integers.
 */
type Money = ColumnType<string, number | string, number | string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type AccountStatus = "active" | "disabled";
export type LedgerKind = "topup" | "charge" | "refund" | "adjustment" | "transfer";

export interface AccountsTable {
  account_id: string;
  name: string;
  /** Public half of the credentials. */
  hash: string;
  /** Hex SHA-256 of the token; the token itself is never stored. */
  token_sha256: string;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  currency: string;
  test: boolean;
  /** Money units; a cache of the sum of the account's ledger entries, never negative. */
  balance: Money;
  webhook_secret: string;
  /** ISO 3166 alpha-2 countries this account may not send to. */
  blocked_countries: ColumnType<string[], string[] | undefined, string[]>;
  /** Per-account API limits (AccountRecord.limits), set by an operator. */
  limits: ColumnType<AccountLimits | null, string | null | undefined, string | null>;
  /** The secret before the last rotation, still published until `..._until`. */
  webhook_secret_previous: string | null;
  webhook_secret_previous_until: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  /** Where reports of messages sent without a callbackUrl go (AccountRecord.defaultCallbackUrl). */
  default_callback_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** The account's SMPP system_id (api.md section 6), unique; null: no SMPP credentials. */
  smpp_system_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** scrypt hash of the SMPP password (ADR 0012); the password itself is never stored. */
  smpp_password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** Money units: a charge that crosses below it sends a balance warning; null: none. */
  low_balance_threshold: ColumnType<
    string | null,
    number | string | null | undefined,
    number | string | null
  >;
  /**
   * When the last balance warning went (ADR 0020, amendment): no other until a credit brings
   * the balance back to the threshold or the threshold changes (both clear it); null: armed.
   */
  low_balance_warned_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  /** The account's API keys (ApiKeyRecord[]: digests only); changed in SQL (api-keys.ts). */
  api_keys: ColumnType<ApiKeyRecord[], never, string>;
  /** The parent of a sub-account (issue 22); null for a top-level account. */
  parent_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Who changed an account's keys or token (issue 22); append-only (a trigger refuses the rest). */
export interface AuditLogTable {
  id: Generated<string>;
  account_id: string;
  at: Timestamp;
  action: string;
  actor: string;
  ip: string | null;
  /** A key's id, or null for the token. */
  target: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  /** The console's id of a team change it asked to record (a retry records nothing more). */
  entry_id: ColumnType<string | null, string | null | undefined, never>;
}

/** Requests for live sending (going-live.ts in the contracts); one pending per account. */
export interface LiveRequestsTable {
  id: Generated<string>;
  account_id: string;
  status: ColumnType<LiveRequestStatus, LiveRequestStatus | undefined, LiveRequestStatus>;
  company: string;
  monthly_volume: Money;
  use_case: string;
  /** Why it was declined; shown to the customer. */
  reason: string | null;
  requested_by: string;
  requested_at: Timestamp;
  decided_by: string | null;
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface PricesTable {
  /** '+' and digits, e.g. '+372'; the longest matching prefix prices a destination. */
  prefix: string;
  country: string;
  price_per_part: Money;
  currency: string;
}

/** Append-only (a trigger refuses update and delete). */
export interface LedgerTable {
  id: Generated<string>;
  account_id: string;
  kind: LedgerKind;
  /** Signed money units: top-ups positive, charges negative. */
  amount: Money;
  /** The charged (or refunded) message; a message is charged at most once. */
  message_id: string | null;
  /** Charges only: what the amount was made of, so a retry gets the same answer. */
  parts: number | null;
  price_per_part: Money | null;
  actor: string;
  note: string;
  /** A top-up's or adjustment's caller-given reference; unique per account (`ledger_references`). */
  reference: ColumnType<string | null, string | null | undefined, never>;
  created_at: Timestamp;
}

/** One row per account and reference of a credit movement: the key decides a retry (0014). */
export interface LedgerReferencesTable {
  account_id: string;
  reference: string;
  /** The movement's ledger entry (set in the transaction that inserted the row). */
  ledger_id: string | null;
}

/** One row per parent and request key of a sub-account transfer: the key decides a retry (0017). */
export interface TransferKeysTable {
  parent_account_id: string;
  request_key: string;
  child_account_id: string;
  /** Money units as asked: positive to the sub-account, negative back to the parent. */
  amount: Money;
  created_at: Timestamp;
}

export interface PendingChargesTable {
  message_id: string;
  account_id: string;
  charged_at: Timestamp;
}

export interface SettlementMarkTable {
  only_row: Generated<boolean>;
  ledger_id: string;
}

export interface OutboxTable {
  /** The event's deterministic id (JetStream de-duplicates on it). */
  event_id: string;
  /** Written through `outbox.ts` (cast from text). */
  event: ColumnType<unknown, unknown, unknown>;
  created_at: Timestamp;
}

export interface PriceOverridesTable {
  account_id: string;
  prefix: string;
  price_per_part: Money;
  actor: string;
  updated_at: Timestamp;
}

export interface PricingDatabase {
  accounts: AccountsTable;
  prices: PricesTable;
  ledger: LedgerTable;
  ledger_references: LedgerReferencesTable;
  transfer_keys: TransferKeysTable;
  /** Legacy (before 0006): no longer written; a later migration drops it. */
  pending_charges: PendingChargesTable;
  settlement_mark: SettlementMarkTable;
  outbox: OutboxTable;
  price_overrides: PriceOverridesTable;
  audit_log: AuditLogTable;
  live_requests: LiveRequestsTable;
}

export interface AccountLimits {
  ipRatePerSec?: number | undefined;
  accountRatePerSec?: number | undefined;
  accountBurst?: number | undefined;
  smppMaxBinds?: number | undefined;
  smppWindow?: number | undefined;
}

export type AccountRow = Selectable<AccountsTable>;
export type LiveRequestRow = Selectable<LiveRequestsTable>;
export type NewLedgerEntry = Insertable<LedgerTable>;

/** A bigint column's value as integer money units. */
export function toUnits(value: string | number | bigint): number {
  const units = Number(value);
  if (!Number.isSafeInteger(units)) throw new Error(`money value ${value} is not a safe integer`);
  return units;
}
