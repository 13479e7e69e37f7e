import { AccountRecord, type AuditAction, type AuditBy } from "@smsgw/contracts";
import { hashSmppPassword, isSmppSystemId, newSmppPassword } from "@smsgw/smpp-credentials";
import { type Kysely, sql, type UpdateObject } from "kysely";
import {
  AccountError,
  AccountErrorCode,
  invalid,
  LATER,
  matches,
  notFound,
} from "./account-common.ts";
import type { AccountSummary, MovementSummary } from "./accounts.ts";
import { OPERATOR, recordAudit } from "./audit.ts";
import { newWebhookSecret } from "./credentials.ts";
import { type Moved, moveCredits } from "./credit-movements.ts";
import type { AccountLimits, AccountRow, PricingDatabase } from "./db/schema.ts";
import { parseSignedCredits } from "./domain/account-input.ts";
import { checkDefaultCallbackUrl } from "./domain/default-callback.ts";
import { type LedgerEntry, ledgerEntries } from "./ledger-entries.ts";

/**
 * The operator's account settings beyond create/top-up/rotate-token/disable: enable,
 * webhook-secret rotation (with a grace period), adjustments, blocked countries, API
 * limits and the ledger listing. Each change is one statement or transaction, then the
 * account is republished to the accounts bucket.
 */
export interface AccountSettings {
  /** Refuses the account's sends and logins (ingress and the console read the record). */
  disable(account: string, by?: AuditBy): Promise<AccountSummary>;
  enable(account: string, by?: AuditBy): Promise<AccountSummary>;
  /** A new signing secret; the previous one stays published for the grace period. */
  rotateWebhookSecret(
    account: string,
    by?: AuditBy,
  ): Promise<{ summary: AccountSummary; webhookSecret: string }>;
  /** Drops previous webhook secrets whose grace period is over; returns how many. */
  expireWebhookSecrets(): Promise<number>;
  /**
   * A signed correction ("-1.5"); refused if the balance would go below zero. `by` (default:
   * the actor, from no address) goes to the audit log. A `reference` makes it at-most-once,
   * as for a top-up.
   */
  adjust(
    account: string,
    amount: string,
    actor: string,
    note: string,
    by?: AuditBy,
    reference?: string,
  ): Promise<MovementSummary>;
  blockCountries(
    account: string,
    countries: readonly string[],
    by?: AuditBy,
  ): Promise<AccountSummary>;
  unblockCountries(
    account: string,
    countries: readonly string[],
    by?: AuditBy,
  ): Promise<AccountSummary>;
  /** Per-account API limits; null clears them (the gateway's defaults apply). */
  setLimits(account: string, limits: unknown, by?: AuditBy): Promise<AccountSummary>;
  /**
   * Where reports of messages sent without a callbackUrl go; null or "" clears it. Refused
   * (AccountError invalid) when the callback guard refuses the URL.
   */
  setDefaultCallbackUrl(account: string, url: string | null, by?: AuditBy): Promise<AccountSummary>;
  ledger(account: string, options?: { limit?: number; beforeId?: string }): Promise<LedgerEntry[]>;
  /**
   * New SMPP credentials (api.md section 6): the system_id given, or the one the account
   * has, or its name when that is a valid system_id; a new password, shown only now (its
   * scrypt hash is kept, ADR 0012). The old password stops at once; binds made with it
   * stay until they end. Audited as `smpp_credentials.rotated` (with the system_id) in the
   * change's own transaction, as a token rotation is.
   */
  rotateSmppCredentials(
    account: string,
    systemId?: string,
    by?: AuditBy,
  ): Promise<{ summary: AccountSummary; systemId: string; password: string }>;
}

const Limits = AccountRecord.shape.limits.unwrap().strict();

export interface SettingsDeps {
  db: Kysely<PricingDatabase>;
  publish(row: AccountRow): Promise<void>;
  toSummary(row: AccountRow): AccountSummary;
  /** A committed movement's answer, counted and published (accounts.ts). */
  movementSummary(moved: Moved): Promise<MovementSummary>;
  webhookSecretGraceMs: number;
  allowPrivateCallbacks: boolean;
}

export function createAccountSettings(deps: SettingsDeps): AccountSettings {
  const { db, publish, toSummary } = deps;

  /** One change of the account's row and its audit entry, in one transaction; then published. */
  async function update(
    account: string,
    set: UpdateObject<PricingDatabase, "accounts">,
    audit: { action: AuditAction; by: AuditBy; details?: Record<string, unknown> },
  ): Promise<AccountRow> {
    const row = await db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        .set(set)
        .set({ updated_at: sql`now()` })
        .where(matches(account))
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw notFound(account);
      await recordAudit(tx, { accountId: updated.account_id, target: null, ...audit });
      return updated;
    });
    await publish(row);
    return row;
  }

  async function changeCountries(
    account: string,
    countries: readonly string[],
    change: "block" | "unblock",
    by: AuditBy,
  ): Promise<AccountSummary> {
    const codes = countries.map((c) => c.trim().toUpperCase());
    const bad = codes.find((c) => !/^[A-Z]{2}$/.test(c));
    if (bad !== undefined || codes.length === 0) {
      throw invalid(`countries must be ISO 3166 alpha-2 codes such as "EE" (got "${bad ?? ""}")`);
    }
    const next =
      change === "block"
        ? sql<
            string[]
          >`array(select distinct c from unnest(blocked_countries || ${codes}::text[]) c order by c)`
        : sql<
            string[]
          >`array(select c from unnest(blocked_countries) c where c <> all(${codes}::text[]) order by c)`;
    const action = change === "block" ? "countries.blocked" : "countries.unblocked";
    return toSummary(
      await update(
        account,
        { blocked_countries: next },
        { action, by, details: { countries: codes } },
      ),
    );
  }

  return {
    async disable(account, by = OPERATOR) {
      return toSummary(
        await update(account, { status: "disabled" }, { action: "account.disabled", by }),
      );
    },

    async enable(account, by = OPERATOR) {
      return toSummary(
        await update(account, { status: "active" }, { action: "account.enabled", by }),
      );
    },

    async rotateWebhookSecret(account, by = OPERATOR) {
      const webhookSecret = newWebhookSecret();
      const row = await update(
        account,
        {
          webhook_secret_previous: sql`webhook_secret`,
          webhook_secret_previous_until: sql`now() + make_interval(secs => ${deps.webhookSecretGraceMs / 1000})`,
          webhook_secret: webhookSecret,
        },
        { action: "webhook_secret.rotated", by },
      );
      return { summary: toSummary(row), webhookSecret };
    },

    async rotateSmppCredentials(account, requested, by = OPERATOR) {
      const current = await db
        .selectFrom("accounts")
        .select(["name", "smpp_system_id"])
        .where(matches(account))
        .executeTakeFirst();
      if (!current) throw notFound(account);
      const systemId = requested ?? current.smpp_system_id ?? current.name;
      if (!isSmppSystemId(systemId)) {
        throw invalid(
          `system_id "${systemId}" must be 1-15 of a-z, 0-9, '.', '_', '-' (give one with --system-id)`,
        );
      }
      const password = newSmppPassword();
      const passwordHash = await hashSmppPassword(password);
      try {
        const row = await db.transaction().execute(async (tx) => {
          const updated = await tx
            .updateTable("accounts")
            .set({
              smpp_system_id: systemId,
              smpp_password_hash: passwordHash,
              updated_at: LATER,
            })
            .where(matches(account))
            .returningAll()
            .executeTakeFirst();
          if (!updated) throw notFound(account);
          await recordAudit(tx, {
            accountId: updated.account_id,
            action: "smpp_credentials.rotated",
            by,
            target: null,
            details: { systemId },
          });
          return updated;
        });
        await publish(row);
        return { summary: toSummary(row), systemId, password };
      } catch (error) {
        const e = error as { code?: unknown; constraint_name?: unknown } | null;
        if (e?.code === "23505" && e.constraint_name === "accounts_smpp_system_id_key") {
          throw new AccountError(
            AccountErrorCode.NameTaken,
            `system_id "${systemId}" belongs to another account`,
          );
        }
        throw error;
      }
    },

    async expireWebhookSecrets() {
      const rows = await db
        .updateTable("accounts")
        .set({
          webhook_secret_previous: null,
          webhook_secret_previous_until: null,
          updated_at: sql`now()`,
        })
        .where("webhook_secret_previous_until", "<=", sql<Date>`now()`)
        .returningAll()
        .execute();
      for (const row of rows) await publish(row);
      return rows.length;
    },

    async adjust(account, amount, actor, note, by = { actor, ip: null }, reference) {
      if (!actor.trim()) throw invalid("a credit movement needs an actor (who)");
      if (!note.trim()) throw invalid("an adjustment needs a note (why)");
      const units = parseSignedCredits(amount);
      if (units === null || units === 0) throw invalid(`"${amount}" is not a non-zero amount`);
      try {
        const moved = await moveCredits(db, {
          account,
          kind: "adjustment",
          units,
          actor,
          note,
          by,
          reference,
        });
        return await deps.movementSummary(moved);
      } catch (error) {
        if ((error as { code?: unknown }).code === "23514") {
          throw invalid(`adjusting by ${amount} would take the balance below zero`);
        }
        throw error;
      }
    },

    blockCountries: (account, countries, by = OPERATOR) =>
      changeCountries(account, countries, "block", by),
    unblockCountries: (account, countries, by = OPERATOR) =>
      changeCountries(account, countries, "unblock", by),

    async setLimits(account, limits, by = OPERATOR) {
      let value: AccountLimits | null = null;
      if (limits !== null) {
        const parsed = Limits.safeParse(limits);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw invalid(
            `limits: ${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"}`,
          );
        }
        value = Object.keys(parsed.data).length === 0 ? null : parsed.data;
      }
      return toSummary(
        await update(
          account,
          {
            // Sent as text and cast: a parameter typed jsonb would be JSON-encoded again.
            limits: value === null ? null : sql`${JSON.stringify(value)}::text::jsonb`,
          },
          { action: "limits.set", by, details: { limits: value } },
        ),
      );
    },

    async setDefaultCallbackUrl(account, url, by = OPERATOR) {
      const checked = checkDefaultCallbackUrl(url, deps.allowPrivateCallbacks);
      if (!checked.ok) throw invalid(checked.reason);
      // The host only: a customer's URL may carry a token in its path or query.
      const host = checked.value === null ? null : new URL(checked.value).host;
      return toSummary(
        await update(
          account,
          { default_callback_url: checked.value },
          { action: "default_callback_url.set", by, details: { host } },
        ),
      );
    },

    async ledger(account, options = {}) {
      const limit = options.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
        throw invalid("limit must be 1-1000");
      }
      const row = await db
        .selectFrom("accounts")
        .select("account_id")
        .where(matches(account))
        .executeTakeFirst();
      if (!row) throw notFound(account);
      if (options.beforeId !== undefined && !/^[0-9]{1,18}$/.test(options.beforeId)) {
        throw invalid("before must be an entry id");
      }
      return ledgerEntries(db, row.account_id, limit, options.beforeId);
    },
  };
}
