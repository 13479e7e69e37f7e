import { type AuditBy, toDecimal } from "@smsgw/contracts";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import { type Kysely, sql } from "kysely";
import type { CreateAccountInput, Credentials } from "./accounts.ts";
import { recordAudit } from "./audit.ts";
import type { AccountRow, PricingDatabase } from "./db/schema.ts";
import { toUnits } from "./db/schema.ts";
import { warningStampAfter } from "./db/warning-stamp.ts";
import { isAccountName } from "./domain/account-input.ts";
import { recordLedger } from "./metrics.ts";

/**
 * Sub-accounts (issue 22): an account creates child accounts, each a whole account (own
 * credentials, balance, numbers, keys) whose row names its parent; the parent moves credit to
 * and from them and sees their usage. One level only, so a parent's view is one query.
 */
export interface SubaccountOperations {
  create(parentId: string, name: string, by: AuditBy): Promise<SubaccountOutcome<Credentials>>;
  list(parentId: string): Promise<SubaccountOutcome<SubaccountUsage[]>>;
  /**
   * With a `requestKey` (the request's Idempotency-Key), at most one transfer per parent and
   * key: the same key again moves nothing and answers both accounts' balances as they are now.
   */
  transfer(
    parentId: string,
    childId: string,
    amount: number,
    note: string,
    by: AuditBy,
    requestKey?: string,
  ): Promise<SubaccountOutcome<TransferBalances>>;
}

export interface TransferBalances {
  parentBalance: number;
  subaccountBalance: number;
}

type RefusalStatus =
  | "invalid_params"
  | "not_found"
  | "forbidden"
  | "low_balance"
  | "idempotency_key_reused";

/** What a request came to: done, or why not in the API's words (api.md section 8). */
export type SubaccountOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: RefusalStatus; message: string };

export interface SubaccountUsage {
  id: string;
  name: string;
  hash: string;
  status: "active" | "disabled";
  currency: string;
  balance: number;
  /** Charged less refunded over the last 30 days, in money units. */
  spentLast30Days: number;
  /** Messages charged over the last 30 days. */
  messagesLast30Days: number;
  createdAt: string;
}

export interface SubaccountDeps {
  db: Kysely<PricingDatabase>;
  createAccount(input: CreateAccountInput): Promise<Credentials>;
  /** To the accounts bucket, after the commit (a cache: see `transfer`). */
  publish(row: AccountRow): Promise<void>;
  log: Logger;
}

const refused = <T>(status: RefusalStatus, message: string): SubaccountOutcome<T> => ({
  ok: false,
  status,
  message,
});

/** What the transaction came to: made (the rows it changed), a repeat of a key, or not made. */
type Transferred =
  | { kind: "moved"; rows: AccountRow[] }
  | { kind: "repeated"; balances: TransferBalances }
  | { kind: "reused"; first: { childId: string; amount: number } }
  | { kind: "no_child" };

export function createSubaccountOperations(deps: SubaccountDeps): SubaccountOperations {
  const { db } = deps;

  async function parentOf(parentId: string) {
    return db
      .selectFrom("accounts")
      .selectAll()
      .where("account_id", "=", parentId)
      .executeTakeFirst();
  }

  return {
    async create(parentId, name, by) {
      const parent = await parentOf(parentId);
      if (!parent) return refused("not_found", "no such account");
      if (parent.parent_account_id !== null) {
        return refused("forbidden", "a sub-account cannot have sub-accounts");
      }
      const full = `${parent.name}.${name.trim()}`;
      if (!isAccountName(full) || name.trim() === "") {
        return refused(
          "invalid_params",
          `name "${name}" must be a-z, 0-9, '.', '_', '-' (with the parent's name, at most 63)`,
        );
      }
      try {
        const credentials = await deps.createAccount({
          name: full,
          credits: 0,
          currency: parent.currency,
          test: parent.test,
          actor: by.actor,
          note: "",
          by,
          parentAccountId: parent.account_id,
        });
        return { ok: true, value: credentials };
      } catch (error) {
        if ((error as { code?: unknown }).code === "name_taken") {
          return refused("invalid_params", `a sub-account named "${name}" exists`);
        }
        throw error;
      }
    },

    async list(parentId) {
      if (!(await parentOf(parentId))) return refused("not_found", "no such account");
      const rows = await db
        .selectFrom("accounts as a")
        .leftJoin(
          (eb) =>
            eb
              .selectFrom("ledger")
              .select([
                "account_id",
                sql<string>`coalesce(-sum(amount) filter (where kind in ('charge', 'refund')), 0)`.as(
                  "spent",
                ),
                sql<string>`count(*) filter (where kind = 'charge')`.as("messages"),
              ])
              .where("created_at", ">", sql<Date>`now() - interval '30 days'`)
              .where(
                "account_id",
                "in",
                db
                  .selectFrom("accounts")
                  .select("account_id")
                  .where("parent_account_id", "=", parentId),
              )
              .groupBy("account_id")
              .as("u"),
          (join) => join.onRef("u.account_id", "=", "a.account_id"),
        )
        .select([
          "a.account_id",
          "a.name",
          "a.hash",
          "a.status",
          "a.currency",
          "a.balance",
          "a.created_at",
          "u.spent",
          "u.messages",
        ])
        .where("a.parent_account_id", "=", parentId)
        .orderBy("a.created_at")
        .execute();
      return {
        ok: true,
        value: rows.map((row) => ({
          id: row.account_id,
          name: row.name,
          hash: row.hash,
          status: row.status,
          currency: row.currency,
          balance: toUnits(row.balance),
          spentLast30Days: toUnits(row.spent ?? "0"),
          messagesLast30Days: Number(row.messages ?? 0),
          createdAt: row.created_at.toISOString(),
        })),
      };
    },

    async transfer(parentId, childId, amount, note, by, requestKey) {
      if (!Number.isSafeInteger(amount) || amount === 0) {
        return refused("invalid_params", "amount must be a non-zero amount");
      }
      // Positive: the parent pays the child; negative: the child gives back to the parent.
      const [from, to] = amount > 0 ? [parentId, childId] : [childId, parentId];
      const units = Math.abs(amount);
      try {
        const made = await db.transaction().execute(async (tx): Promise<Transferred> => {
          const child = await tx
            .selectFrom("accounts")
            .select(["account_id", "name"])
            .where("account_id", "=", childId)
            .where("parent_account_id", "=", parentId)
            .executeTakeFirst();
          if (!child) return { kind: "no_child" };
          if (requestKey !== undefined) {
            // The key's row first, by its primary key: a concurrent call with the same key
            // waits here for this transaction and then inserts nothing (a rolled-back one, a
            // refusal, leaves the key free). Nothing inserted: the transfer was made before.
            const claimed = await tx
              .insertInto("transfer_keys")
              .values({
                parent_account_id: parentId,
                request_key: requestKey,
                child_account_id: childId,
                amount,
              })
              .onConflict((c) => c.columns(["parent_account_id", "request_key"]).doNothing())
              .returning("request_key")
              .executeTakeFirst();
            if (!claimed) return repeatOf(tx, parentId, childId, amount, requestKey);
          }
          // One order for every transfer's two updates: two transfers at once never deadlock.
          const rows: AccountRow[] = [];
          for (const [accountId, delta] of [
            [from, -units],
            [to, units],
          ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))) as Array<[string, number]>) {
            rows.push(
              await tx
                .updateTable("accounts")
                .set({
                  balance: sql`balance + ${delta}`,
                  // A parent's transfer is its sub-account's top-up: it re-arms the warning.
                  low_balance_warned_at: warningStampAfter(delta),
                  updated_at: sql`now()`,
                })
                .where("account_id", "=", accountId)
                .returningAll()
                .executeTakeFirstOrThrow(),
            );
            await tx
              .insertInto("ledger")
              .values({
                account_id: accountId,
                kind: "transfer",
                amount: delta,
                actor: by.actor,
                note,
              })
              .execute();
          }
          for (const accountId of [parentId, childId]) {
            await recordAudit(tx, {
              accountId,
              action: "credits.transferred",
              by,
              target: accountId === parentId ? childId : parentId,
              details: { amount, note, subaccount: child.name },
            });
          }
          return { kind: "moved", rows };
        });
        switch (made.kind) {
          case "no_child":
            return refused("not_found", "no such sub-account of this account");
          case "repeated":
            return { ok: true, value: made.balances };
          case "reused":
            return refused(
              "idempotency_key_reused",
              `this Idempotency-Key was used for a transfer of ${toDecimal(made.first.amount)} with sub-account ${made.first.childId}; use a new key for a new transfer`,
            );
          case "moved":
            break;
        }
        const { rows } = made;
        recordLedger("transfer", [{ amount: units, currency: rows[0]?.currency ?? "EUR" }]);
        // Committed: the answer is the transfer's, whatever the bucket does. An error here
        // would tell the client nothing moved and invite a blind retry. The bucket's record is
        // a cache (its balance is no door's to decide with); the account operations' publish
        // retries a failed put itself until the bucket has the row, and pricing publishes
        // every account again at start.
        for (const row of rows) {
          try {
            await deps.publish(row);
          } catch (error) {
            deps.log.error(
              { accountId: row.account_id, err: errorMessage(error) },
              "credit transferred but the account not published to the accounts bucket",
            );
          }
        }
        const balanceOf = (id: string) =>
          toUnits(rows.find((row) => row.account_id === id)?.balance ?? "0");
        return {
          ok: true,
          value: { parentBalance: balanceOf(parentId), subaccountBalance: balanceOf(childId) },
        };
      } catch (error) {
        if ((error as { code?: unknown }).code === "23514") {
          return refused(
            "low_balance",
            amount > 0
              ? "the account's credit does not cover this transfer"
              : "the sub-account's credit does not cover this transfer",
          );
        }
        throw error;
      }
    },
  };
}

/**
 * A transfer asked again under its key: the same sub-account and amount is the first one
 * repeated (answered with both balances as they are now; nothing moves), another is refused.
 */
async function repeatOf(
  tx: Kysely<PricingDatabase>,
  parentId: string,
  childId: string,
  amount: number,
  requestKey: string,
): Promise<Transferred> {
  const first = await tx
    .selectFrom("transfer_keys")
    .select(["child_account_id", "amount"])
    .where("parent_account_id", "=", parentId)
    .where("request_key", "=", requestKey)
    .executeTakeFirstOrThrow();
  if (first.child_account_id !== childId || toUnits(first.amount) !== amount) {
    return {
      kind: "reused",
      first: { childId: first.child_account_id, amount: toUnits(first.amount) },
    };
  }
  const rows = await tx
    .selectFrom("accounts")
    .select(["account_id", "balance"])
    .where("account_id", "in", [parentId, childId])
    .execute();
  const balanceOf = (id: string) =>
    toUnits(rows.find((row) => row.account_id === id)?.balance ?? "0");
  return {
    kind: "repeated",
    balances: { parentBalance: balanceOf(parentId), subaccountBalance: balanceOf(childId) },
  };
}
