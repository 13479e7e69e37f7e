import type { AuditBy } from "@smsgw/contracts";
import { toDecimal } from "@smsgw/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import { invalid, matches, notFound } from "./account-common.ts";
import { OPERATOR, recordAudit } from "./audit.ts";
import { loadPrices, storePrices } from "./db/prices.ts";
import type { PricingDatabase } from "./db/schema.ts";
import { toUnits } from "./db/schema.ts";
import { parseCredits } from "./domain/account-input.ts";
import { parsePriceCsv } from "./domain/price-csv.ts";
import { isPrefix, type Price } from "./domain/price-list.ts";

/**
 * Price list operations, shared by the admin API and the CLI. After a change the
 * running service reloads its price book (`onChange`); a CLI change reaches running
 * replicas at their next sweep (SWEEP_INTERVAL_MS).
 */
export interface PriceOperations {
  /** Parses the CSV (every bad line reported with its number) and stores it. */
  load(csv: string, replace: boolean): Promise<{ stored: number; removed: number }>;
  list(): Promise<Price[]>;
  /**
   * Sets the account's price for the prefix; audited as `price_override.set` with the price
   * before (null: none) and after, in money units per part. `by` (default: the actor, from no
   * address) goes to the audit log.
   */
  setOverride(
    account: string,
    prefix: string,
    price: string,
    actor: string,
    by?: AuditBy,
  ): Promise<Override>;
  /** Removes it (false: there was none, nothing audited); audited as `price_override.removed`. */
  removeOverride(account: string, prefix: string, by?: AuditBy): Promise<boolean>;
  overrides(account: string): Promise<Override[]>;
}

export interface Override {
  accountId: string;
  prefix: string;
  /** Money units per part, in the account's currency. */
  pricePerPart: number;
  currency: string;
  actor: string;
}

export function createPriceOperations(
  db: Kysely<PricingDatabase>,
  onChange: () => Promise<void> = async () => undefined,
): PriceOperations {
  async function accountOf(account: string) {
    const row = await db
      .selectFrom("accounts")
      .select(["account_id", "currency"])
      .where(matches(account))
      .executeTakeFirst();
    if (!row) throw notFound(account);
    return row;
  }

  return {
    async load(csv, replace) {
      const result = await storePrices(db, parsePriceCsv(csv), replace);
      await onChange();
      return result;
    },
    list: () => loadPrices(db),
    async setOverride(account, prefix, price, actor, by = { actor, ip: null }) {
      if (!isPrefix(prefix)) throw invalid(`prefix "${prefix}" is not '+' and 1-15 digits`);
      const units = parseCredits(price);
      if (units === null) throw invalid(`price "${price}" is not a decimal with at most 4 places`);
      const row = await accountOf(account);
      await db.transaction().execute(async (tx) => {
        const before = await replaceOverride(tx, row.account_id, prefix, units, actor);
        await recordAudit(tx, {
          accountId: row.account_id,
          action: "price_override.set",
          by,
          target: prefix,
          details: { currency: row.currency, before, after: units },
        });
      });
      await onChange();
      return {
        accountId: row.account_id,
        prefix,
        pricePerPart: units,
        currency: row.currency,
        actor,
      };
    },
    async removeOverride(account, prefix, by = OPERATOR) {
      const row = await accountOf(account);
      const removed = await db.transaction().execute(async (tx) => {
        const deleted = await tx
          .deleteFrom("price_overrides")
          .where("account_id", "=", row.account_id)
          .where("prefix", "=", prefix)
          .returning("price_per_part")
          .executeTakeFirst();
        if (!deleted) return false;
        await recordAudit(tx, {
          accountId: row.account_id,
          action: "price_override.removed",
          by,
          target: prefix,
          details: { currency: row.currency, before: toUnits(deleted.price_per_part), after: null },
        });
        return true;
      });
      await onChange();
      return removed;
    },
    async overrides(account) {
      const row = await accountOf(account);
      const rows = await db
        .selectFrom("price_overrides")
        .selectAll()
        .where("account_id", "=", row.account_id)
        .orderBy("prefix")
        .execute();
      return rows.map((o) => ({
        accountId: o.account_id,
        prefix: o.prefix,
        pricePerPart: toUnits(o.price_per_part),
        currency: row.currency,
        actor: o.actor,
      }));
    },
  };
}

/**
 * Sets the override and returns the price it replaced (null: none). The row is locked before
 * it is changed, so `before` is the price this change replaced even when two operators set
 * one at once; when none exists and a concurrent insert wins, it is read again, locked.
 */
async function replaceOverride(
  tx: Transaction<PricingDatabase>,
  accountId: string,
  prefix: string,
  units: number,
  actor: string,
): Promise<number | null> {
  for (;;) {
    const existing = await tx
      .selectFrom("price_overrides")
      .select("price_per_part")
      .where("account_id", "=", accountId)
      .where("prefix", "=", prefix)
      .forUpdate()
      .executeTakeFirst();
    if (existing) {
      await tx
        .updateTable("price_overrides")
        .set({ price_per_part: units, actor, updated_at: sql`now()` })
        .where("account_id", "=", accountId)
        .where("prefix", "=", prefix)
        .execute();
      return toUnits(existing.price_per_part);
    }
    const inserted = await tx
      .insertInto("price_overrides")
      .values({ account_id: accountId, prefix, price_per_part: units, actor })
      .onConflict((oc) => oc.columns(["account_id", "prefix"]).doNothing())
      .returning("prefix")
      .executeTakeFirst();
    if (inserted) return null;
  }
}

/** A price as JSON for operators: the decimal rounded from integer units. */
export function priceJson(price: { pricePerPart: number }) {
  return { ...price, pricePerPart: toDecimal(price.pricePerPart) };
}
