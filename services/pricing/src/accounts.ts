import type { AccountRecord, AuditBy, AuditEntry } from "@smsgw/contracts";
import { createWindow, errorMessage, type Logger } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import {
  AccountError,
  AccountErrorCode,
  invalid,
  LATER,
  matches,
  notFound,
} from "./account-common.ts";
import { type AccountSettings, createAccountSettings } from "./account-settings.ts";
import type { AccountsKv } from "./accounts-kv.ts";
import { type ApiKeyOperations, createApiKeyOperations } from "./api-keys.ts";
import { listAudit, OPERATOR, recordAudit } from "./audit.ts";
import { newAccountId, newHash, newToken, newWebhookSecret, sha256Hex } from "./credentials.ts";
import { type Moved, moveCredits } from "./credit-movements.ts";
import type { AccountRow, PricingDatabase } from "./db/schema.ts";
import { toUnits } from "./db/schema.ts";
import { isAccountName, isCurrency, parseCredits } from "./domain/account-input.ts";
import type { LedgerEntry } from "./ledger-entries.ts";
import { createLiveRequestOperations, type LiveRequestOperations } from "./live-requests.ts";
import { createLowBalanceOperations, type LowBalanceOperations } from "./low-balance.ts";
import { recordLedger } from "./metrics.ts";
import { createSubaccountOperations, type SubaccountOperations } from "./subaccounts.ts";

export { AccountError, AccountErrorCode } from "./account-common.ts";

/**
 * Account operations, shared by the service (`startPricing().accounts`) and the CLI.
 * Each change is written in one transaction (with its ledger entry, if money moved),
 * then the account is republished to the accounts KV bucket.
 */

/** What the account holder needs; the token is not stored and cannot be shown again. */
export interface Credentials {
  accountId: string;
  name: string;
  hash: string;
  token: string;
  webhookSecret: string;
}

export interface AccountSummary {
  accountId: string;
  name: string;
  hash: string;
  status: "active" | "disabled";
  currency: string;
  test: boolean;
  /** Money units (1/10,000 of the currency). */
  balance: number;
  blockedCountries: string[];
  limits: AccountRecord["limits"] | null;
  defaultCallbackUrl: string | null;
  /** The SMPP system_id, when the account has SMPP credentials. */
  smppSystemId: string | null;
  /** Money units; below it the console warns and a balance webhook goes out. Null: none. */
  lowBalanceThreshold: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A top-up's or adjustment's answer: the account after it and the movement's ledger entry;
 * `replayed` when its reference was used before: the first movement's entry, nothing moved.
 */
export interface MovementSummary extends AccountSummary {
  entry: LedgerEntry;
  replayed: boolean;
}

export interface CreateAccountInput {
  name: string;
  /** A decimal string of the currency ("10" = 10 EUR), or a number of money units. */
  credits: string | number;
  currency?: string;
  test?: boolean;
  actor?: string;
  note?: string;
  /** Who created it, for the audit log (default: an operator). */
  by?: AuditBy;
  /** A sub-account's parent (issue 22): its log records the creation too, in the same transaction. */
  parentAccountId?: string;
}

export interface AccountOperations
  extends AccountSettings,
    ApiKeyOperations,
    LiveRequestOperations,
    LowBalanceOperations {
  createAccount(input: CreateAccountInput): Promise<Credentials>;
  /**
   * Adds credit to the account named (or with the id) `account`. With a `reference`, at most
   * once: a retry gets the first top-up back, `replayed` (credit-movements.ts).
   */
  topUp(
    account: string,
    amount: string | number,
    actor: string,
    note?: string,
    by?: AuditBy,
    reference?: string,
  ): Promise<MovementSummary>;
  /**
   * A new token; the old one stops working as soon as readers see the KV update. `by`
   * (default: an operator) goes to the audit log.
   */
  rotateToken(account: string, by?: AuditBy): Promise<Credentials>;
  /** Creates the account, or if it exists rotates its token: fresh credentials either way. */
  createOrRotate(
    input: CreateAccountInput,
  ): Promise<{ created: boolean; credentials: Credentials }>;
  get(account: string): Promise<AccountSummary | undefined>;
  list(): Promise<AccountSummary[]>;
  /** Publishes every account to the KV bucket; returns how many. */
  publishAll(): Promise<number>;
  /** The account's latest changes to its keys and token, newest first (audit.ts). */
  audit(account: string, limit?: number): Promise<AuditEntry[]>;
  /** An account's sub-accounts (issue 22, subaccounts.ts). */
  readonly subaccounts: SubaccountOperations;
}

export interface AccountDeps {
  db: Kysely<PricingDatabase>;
  kv: AccountsKv;
  log: Logger;
  /** How long a rotated-out webhook secret stays published (default 24 h). */
  webhookSecretGraceMs?: number;
  /** Default callback URLs may name private/loopback hosts (WEBHOOK_ALLOW_PRIVATE, local stack). */
  allowPrivateCallbacks?: boolean;
  /** How soon a failed publish to the accounts bucket is tried again (default 250 ms). */
  publishRetryMs?: number;
}

export function createAccountOperations(deps: AccountDeps): AccountOperations {
  const { db, kv, log } = deps;
  const retryMs = deps.publishRetryMs ?? 250;
  /** Accounts whose latest change is not in the bucket yet: retried until it is. */
  const unpublished = new Map<string, AccountRow>();
  let retrying: NodeJS.Timeout | undefined;

  /**
   * After a commit: a failed publish does not undo the change, and readers must not keep the
   * old record (a rotated token, a disabled account) until pricing restarts. The account's
   * latest row is retried every `publishRetryMs` until the bucket has it; the bucket never
   * takes an older record over a newer one (accounts-kv.ts), so a late retry is harmless.
   */
  async function publish(row: AccountRow): Promise<void> {
    try {
      await kv.put(toAccountRecord(row));
      if (unpublished.get(row.account_id) === row) unpublished.delete(row.account_id);
    } catch (error) {
      const queued = unpublished.get(row.account_id);
      if (!queued || queued.updated_at <= row.updated_at) unpublished.set(row.account_id, row);
      if (!queued) {
        log.warn(
          { accountId: row.account_id, err: errorMessage(error) },
          "account changed but not published to the accounts bucket; retrying until it is",
        );
      }
      if (!retrying) {
        retrying = setTimeout(retryUnpublished, retryMs);
        retrying.unref();
      }
    }
  }

  async function retryUnpublished(): Promise<void> {
    const rows = [...unpublished.values()];
    retrying = undefined;
    // Each failure queues its row again (and this timer): one pass at a time.
    for (const row of rows) await publish(row);
    if (unpublished.size === 0 && rows.length > 0) log.info("accounts bucket caught up");
  }

  async function createAccount(input: CreateAccountInput): Promise<Credentials> {
    const name = input.name.trim();
    const currency = input.currency ?? "EUR";
    const credits = parseCredits(input.credits);
    if (!isAccountName(name)) {
      throw invalid(`name "${input.name}" must be 1-63 of a-z, 0-9, '.', '_', '-'`);
    }
    if (!isCurrency(currency)) throw invalid(`currency "${currency}" is not supported`);
    if (credits === null) throw invalid(`credits "${input.credits}" is not an amount`);

    const token = newToken();
    const credentials: Credentials = {
      accountId: newAccountId(),
      name,
      hash: newHash(),
      token,
      webhookSecret: newWebhookSecret(),
    };
    let row: AccountRow;
    try {
      row = await db.transaction().execute(async (tx) => {
        const created = await tx
          .insertInto("accounts")
          .values({
            account_id: credentials.accountId,
            name,
            hash: credentials.hash,
            token_sha256: sha256Hex(token),
            currency,
            test: input.test ?? true,
            balance: credits,
            webhook_secret: credentials.webhookSecret,
            parent_account_id: input.parentAccountId ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (credits > 0) {
          await tx
            .insertInto("ledger")
            .values({
              account_id: credentials.accountId,
              kind: "topup",
              amount: credits,
              actor: input.actor ?? "system",
              note: input.note ?? "initial credits",
            })
            .execute();
        }
        await recordAudit(tx, {
          accountId: credentials.accountId,
          action: "account.created",
          by: input.by ?? OPERATOR,
          target: null,
          details: { name, currency, test: input.test ?? true, credits },
        });
        if (input.parentAccountId !== undefined) {
          await recordAudit(tx, {
            accountId: input.parentAccountId,
            action: "subaccount.created",
            by: input.by ?? OPERATOR,
            target: credentials.accountId,
            details: { name },
          });
        }
        return created;
      });
      if (credits > 0) recordLedger("topup", [{ amount: credits, currency }]);
    } catch (error) {
      if (isUniqueViolation(error, "accounts_name_key")) {
        throw new AccountError(AccountErrorCode.NameTaken, `an account named "${name}" exists`);
      }
      throw error;
    }
    await publish(row);
    return credentials;
  }

  async function topUp(
    account: string,
    amount: string | number,
    actor: string,
    note = "",
    by: AuditBy = { actor, ip: null },
    reference?: string,
  ): Promise<MovementSummary> {
    if (!actor.trim()) throw invalid("a credit movement needs an actor (who)");
    const units = parseCredits(amount);
    if (units === null || units === 0) throw invalid(`"${amount}" is not a positive amount`);
    const moved = await moveCredits(db, {
      account,
      kind: "topup",
      units,
      actor,
      note,
      by,
      reference,
    });
    return movementSummary(moved);
  }

  /** After a movement's commit: counted and published, unless it was a replay (nothing moved). */
  async function movementSummary(moved: Moved): Promise<MovementSummary> {
    if (!moved.replayed) {
      recordLedger(moved.entry.kind, [
        { amount: moved.entry.amount, currency: moved.row.currency },
      ]);
      await publish(moved.row);
    }
    return { ...toSummary(moved.row), entry: moved.entry, replayed: moved.replayed };
  }

  async function rotateToken(account: string, by: AuditBy = OPERATOR): Promise<Credentials> {
    const token = newToken();
    const row = await db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        .set({ token_sha256: sha256Hex(token), updated_at: LATER })
        .where(matches(account))
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw notFound(account);
      const accountId = updated.account_id;
      await recordAudit(tx, { accountId, action: "token.rotated", by, target: null });
      return updated;
    });
    await publish(row);
    return {
      accountId: row.account_id,
      name: row.name,
      hash: row.hash,
      token,
      webhookSecret: row.webhook_secret,
    };
  }

  async function createOrRotate(input: CreateAccountInput) {
    for (let attempt = 1; ; attempt++) {
      if (await get(input.name)) {
        const by = { actor: input.actor ?? OPERATOR.actor, ip: null };
        return { created: false, credentials: await rotateToken(input.name, by) };
      }
      try {
        return { created: true, credentials: await createAccount(input) };
      } catch (error) {
        // Created by someone else between our look and our insert: rotate theirs.
        if (!(error instanceof AccountError && error.code === "name_taken") || attempt > 1) {
          throw error;
        }
      }
    }
  }

  async function get(account: string): Promise<AccountSummary | undefined> {
    const row = await db
      .selectFrom("accounts")
      .selectAll()
      .where(matches(account))
      .executeTakeFirst();
    return row && toSummary(row);
  }

  async function list(): Promise<AccountSummary[]> {
    const rows = await db.selectFrom("accounts").selectAll().orderBy("name").execute();
    return rows.map(toSummary);
  }

  async function publishAll(): Promise<number> {
    const rows = await db.selectFrom("accounts").selectAll().execute();
    const window = createWindow(256);
    await Promise.all(rows.map((row) => window.run(() => kv.put(toAccountRecord(row)))));
    return rows.length;
  }

  const settings = createAccountSettings({
    db,
    publish,
    toSummary,
    movementSummary,
    webhookSecretGraceMs: deps.webhookSecretGraceMs ?? 24 * 60 * 60_000,
    allowPrivateCallbacks: deps.allowPrivateCallbacks ?? false,
  });
  async function audit(account: string, limit?: number): Promise<AuditEntry[]> {
    const found = await get(account);
    if (!found) throw notFound(account);
    return listAudit(db, found.accountId, limit);
  }

  const apiKeys = createApiKeyOperations({ db, publish });
  const liveRequests = createLiveRequestOperations({ db, publish });
  const lowBalance = createLowBalanceOperations({ db, toSummary });
  const subaccounts = createSubaccountOperations({ db, createAccount, publish, log });
  return {
    createAccount,
    topUp,
    rotateToken,
    createOrRotate,
    get,
    list,
    publishAll,
    audit,
    subaccounts,
    ...settings,
    ...apiKeys,
    ...liveRequests,
    ...lowBalance,
  };
}

export function toAccountRecord(row: AccountRow): AccountRecord {
  return {
    accountId: row.account_id,
    hash: row.hash,
    tokenSha256: row.token_sha256,
    status: row.status,
    currency: row.currency,
    test: row.test,
    // The new secret first (it signs); the previous one while its grace period lasts.
    webhookSecrets: row.webhook_secret_previous
      ? [row.webhook_secret, row.webhook_secret_previous]
      : [row.webhook_secret],
    updatedAt: row.updated_at.toISOString(),
    blockedCountries: row.blocked_countries,
    ...(row.limits ? { limits: row.limits } : {}),
    // Only when set: records stay as they were for the accounts that have none.
    ...(row.default_callback_url ? { defaultCallbackUrl: row.default_callback_url } : {}),
    ...(row.smpp_system_id && row.smpp_password_hash
      ? { smpp: { systemId: row.smpp_system_id, passwordHash: row.smpp_password_hash } }
      : {}),
    ...(row.api_keys.length > 0 ? { apiKeys: row.api_keys } : {}),
  };
}

export function toSummary(row: AccountRow): AccountSummary {
  return {
    accountId: row.account_id,
    name: row.name,
    hash: row.hash,
    status: row.status,
    currency: row.currency,
    test: row.test,
    balance: toUnits(row.balance),
    blockedCountries: row.blocked_countries,
    limits: row.limits,
    defaultCallbackUrl: row.default_callback_url,
    smppSystemId: row.smpp_system_id,
    lowBalanceThreshold:
      row.low_balance_threshold === null ? null : toUnits(row.low_balance_threshold),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint_name?: unknown } | null;
  return e?.code === "23505" && e.constraint_name === constraint;
}
