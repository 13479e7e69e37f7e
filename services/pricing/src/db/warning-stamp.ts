import { type RawBuilder, sql } from "kysely";

/**
 * The account's low-balance stamp after its balance moves by `units` in an update of its row
 * (ADR 0020, amendment): a credit that brings the balance to its threshold clears it, so the
 * next fall under it warns again (a top-up, an adjustment, a parent's transfer).
 */
export function warningStampAfter(units: number): RawBuilder<Date | null> {
  return sql<Date | null>`case when balance + ${units} >= low_balance_threshold
    then null else low_balance_warned_at end`;
}
