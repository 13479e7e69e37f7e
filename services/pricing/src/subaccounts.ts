import type { AuditBy } from "@smsgw/contracts";
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
  transfer(
    parentId: string,
    childId: string,
    amount: number,
    note: string,
    by: AuditBy,
  ): Promise<SubaccountOutcome<{ parentBalance: number; subaccountBalance: number }>>;
}

/** What a request came to: done, or why not in the API's words (api.md section 8). */
export type SubaccountOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      status: "invalid_params" | "not_found" | "forbidden" | "low_balance";
      message: string;
    };

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
  publish(row: AccountRow): Promise<void>;
}

const refused = <T>(
  status: "invalid_params" | "not_found" | "forbidden" | "low_balance",
  message: string,
): SubaccountOutcome<T> => ({ ok: false, status, message });

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

    async transfer(parentId, childId, amount, note, by) {
      if (!Number.isSafeInteger(amount) || amount === 0) {
        return refused("invalid_params", "amount must be a non-zero amount");
      }
      // Positive: the parent pays the child; negative: the child gives back to the parent.
      const [from, to] = amount > 0 ? [parentId, childId] : [childId, parentId];
      const units = Math.abs(amount);
      try {
        const moved = await db.transaction().execute(async (tx) => {
          const child = await tx
            .selectFrom("accounts")
            .select(["account_id", "name"])
            .where("account_id", "=", childId)
            .where("parent_account_id", "=", parentId)
            .executeTakeFirst();
          if (!child) return null;
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
          return rows;
        });
        if (!moved) return refused("not_found", "no such sub-account of this account");
        for (const row of moved) await deps.publish(row);
        recordLedger("transfer", [{ amount: units, currency: moved[0]?.currency ?? "EUR" }]);
        const balanceOf = (id: string) =>
          toUnits(moved.find((row) => row.account_id === id)?.balance ?? "0");
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
