import { readFile } from "node:fs/promises";
import type { Kysely } from "kysely";
import { createPriceBook, type PriceBook } from "../domain/price-book.ts";
import { parsePriceCsv } from "../domain/price-csv.ts";
import type { Price } from "../domain/price-list.ts";
import { type PricingDatabase, toUnits } from "./schema.ts";

export async function loadPrices(db: Kysely<PricingDatabase>): Promise<Price[]> {
  const rows = await db
    .selectFrom("prices")
    .selectAll()
    .orderBy("prefix")
    .orderBy("currency")
    .execute();
  return rows.map((row) => ({
    prefix: row.prefix,
    country: row.country,
    pricePerPart: toUnits(row.price_per_part),
    currency: row.currency,
  }));
}

/**
 * Fills an empty `prices` table from the CSV file; a table with any price is left as
 * it is (the operator owns it from then on). Returns how many prices were inserted.
 */
export async function seedPricesIfEmpty(
  db: Kysely<PricingDatabase>,
  csvPath: string,
): Promise<number> {
  const existing = await db.selectFrom("prices").select("prefix").limit(1).execute();
  if (existing.length > 0) return 0;
  let text: string;
  try {
    text = await readFile(csvPath, "utf8");
  } catch (error) {
    throw new Error(`cannot read the price list ${csvPath}`, { cause: error });
  }
  const prices = parsePriceCsv(text);
  if (prices.length === 0) return 0;
  const inserted = await db
    .insertInto("prices")
    .values(
      prices.map((p) => ({
        prefix: p.prefix,
        country: p.country,
        price_per_part: p.pricePerPart,
        currency: p.currency,
      })),
    )
    // Two replicas seeding at once: the second inserts nothing.
    .onConflict((oc) => oc.columns(["prefix", "currency"]).doNothing())
    .returning("prefix")
    .execute();
  return inserted.length;
}

/** The price list and every account's overrides, as authorize and the price RPC use them. */
export async function loadPriceBook(db: Kysely<PricingDatabase>): Promise<PriceBook> {
  const [base, overrides] = await Promise.all([
    loadPrices(db),
    db
      .selectFrom("price_overrides")
      .innerJoin("accounts", "accounts.account_id", "price_overrides.account_id")
      .select([
        "price_overrides.account_id",
        "price_overrides.prefix",
        "price_overrides.price_per_part",
        "accounts.currency",
      ])
      .execute(),
  ]);
  const currencies = new Map(overrides.map((o) => [o.account_id, o.currency]));
  return createPriceBook(
    base,
    overrides.map((o) => ({
      accountId: o.account_id,
      prefix: o.prefix,
      pricePerPart: toUnits(o.price_per_part),
    })),
    (accountId) => currencies.get(accountId),
  );
}

/**
 * Loads a price list: with `replace`, each currency the file prices becomes exactly the file's
 * list in it (the other currencies' lists are kept); without, the file's prices (a prefix in a
 * currency) are inserted or updated and the others kept. One transaction.
 */
export async function storePrices(
  db: Kysely<PricingDatabase>,
  prices: readonly Price[],
  replace: boolean,
): Promise<{ stored: number; removed: number }> {
  return db.transaction().execute(async (tx) => {
    let removed = 0;
    const currencies = [...new Set(prices.map((p) => p.currency))];
    if (replace && currencies.length > 0) {
      // The file's currencies only: a file of EUR prices leaves the USD and GBP lists as
      // they are (their accounts would otherwise find every destination blocked).
      const deleted = await tx
        .deleteFrom("prices")
        .where("currency", "in", currencies)
        .executeTakeFirst();
      removed = Number(deleted.numDeletedRows);
    }
    if (prices.length > 0) {
      await tx
        .insertInto("prices")
        .values(
          prices.map((p) => ({
            prefix: p.prefix,
            country: p.country,
            price_per_part: p.pricePerPart,
            currency: p.currency,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["prefix", "currency"]).doUpdateSet({
            country: (eb) => eb.ref("excluded.country"),
            price_per_part: (eb) => eb.ref("excluded.price_per_part"),
          }),
        )
        .execute();
    }
    return { stored: prices.length, removed };
  });
}
