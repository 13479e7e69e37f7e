import { toDecimal } from "@smsgw/contracts";
import type { Kysely } from "kysely";
import { invalid, matches, notFound } from "./account-common.ts";
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
  setOverride(account: string, prefix: string, price: string, actor: string): Promise<Override>;
  removeOverride(account: string, prefix: string): Promise<boolean>;
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
    async setOverride(account, prefix, price, actor) {
      if (!isPrefix(prefix)) throw invalid(`prefix "${prefix}" is not '+' and 1-15 digits`);
      const units = parseCredits(price);
      if (units === null) throw invalid(`price "${price}" is not a decimal with at most 4 places`);
      const row = await accountOf(account);
      await db
        .insertInto("price_overrides")
        .values({ account_id: row.account_id, prefix, price_per_part: units, actor })
        .onConflict((oc) =>
          oc.columns(["account_id", "prefix"]).doUpdateSet({
            price_per_part: units,
            actor,
            updated_at: new Date(),
          }),
        )
        .execute();
      await onChange();
      return {
        accountId: row.account_id,
        prefix,
        pricePerPart: units,
        currency: row.currency,
        actor,
      };
    },
    async removeOverride(account, prefix) {
      const row = await accountOf(account);
      const result = await db
        .deleteFrom("price_overrides")
        .where("account_id", "=", row.account_id)
        .where("prefix", "=", prefix)
        .executeTakeFirst();
      await onChange();
      return result.numDeletedRows > 0n;
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

/** A price as JSON for operators: the decimal rounded from integer units. */
export function priceJson(price: { pricePerPart: number }) {
  return { ...price, pricePerPart: toDecimal(price.pricePerPart) };
}
