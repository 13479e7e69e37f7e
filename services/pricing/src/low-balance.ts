import type { AuditBy } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import { invalid, matches, notFound } from "./account-common.ts";
import type { AccountSummary } from "./accounts.ts";
import { recordAudit } from "./audit.ts";
import type { AccountRow, PricingDatabase } from "./db/schema.ts";
import { parseCredits } from "./domain/account-input.ts";

/**
 * The low-balance threshold (issue 22): set by the account in the console and by operators,
 * one audit entry per change. Not in the account's record: only pricing needs it (the charge
 * statement decides the crossing, db/charges.ts), and the console reads it from pricing.
 */
export interface LowBalanceOperations {
  /**
   * `threshold` as a decimal of the currency ("5", "0.50") or money units (a number); null
   * clears it. A threshold of zero is refused: a balance never goes below zero.
   */
  setLowBalanceThreshold(
    account: string,
    threshold: string | number | null,
    by: AuditBy,
  ): Promise<AccountSummary>;
}

export function createLowBalanceOperations(deps: {
  db: Kysely<PricingDatabase>;
  toSummary(row: AccountRow): AccountSummary;
}): LowBalanceOperations {
  const { db, toSummary } = deps;

  async function setLowBalanceThreshold(
    account: string,
    threshold: string | number | null,
    by: AuditBy,
  ): Promise<AccountSummary> {
    const units = threshold === null ? null : parseCredits(threshold);
    if (units === 0 || (threshold !== null && units === null)) {
      throw invalid(`threshold "${threshold}" is not a positive amount`);
    }
    const row = await db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        // A new threshold is armed: its first fall warns (the same one saved again changes nothing).
        .set({
          low_balance_threshold: units,
          low_balance_warned_at: sql`case when low_balance_threshold is distinct from ${units}
            then null else low_balance_warned_at end`,
          updated_at: sql`now()`,
        })
        .where(matches(account))
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw notFound(account);
      await recordAudit(tx, {
        accountId: updated.account_id,
        action: "low_balance.threshold_set",
        by,
        target: null,
        details: { threshold: units },
      });
      return updated;
    });
    return toSummary(row);
  }

  return { setLowBalanceThreshold };
}
