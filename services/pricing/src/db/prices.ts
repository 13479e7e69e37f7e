import { readFile } from "node:fs/promises";
import type { Kysely } from "kysely";
import { parsePriceCsv } from "../domain/price-csv.ts";
import type { Price } from "../domain/price-list.ts";
import { type PricingDatabase, toUnits } from "./schema.ts";

export async function loadPrices(db: Kysely<PricingDatabase>): Promise<Price[]> {
  const rows = await db.selectFrom("prices").selectAll().orderBy("prefix").execute();
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
    .onConflict((oc) => oc.column("prefix").doNothing())
    .returning("prefix")
    .execute();
  return inserted.length;
}
