import { type AuditBy, toDecimal } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import { AccountError, AccountErrorCode, invalid, matches, notFound } from "./account-common.ts";
import { recordAudit } from "./audit.ts";
import type { AccountRow, PricingDatabase } from "./db/schema.ts";
import { warningStampAfter } from "./db/warning-stamp.ts";
import { isReference, judgeRetry } from "./domain/credit-reference.ts";
import { type LedgerEntry, toLedgerEntry } from "./ledger-entries.ts";

/** An operator's credit movement: a top-up or an adjustment, in money units. */
export interface CreditMovement {
  account: string;
  kind: "topup" | "adjustment";
  units: number;
  actor: string;
  note: string;
  by: AuditBy;
  /** The caller's reference: a second movement under it moves nothing (see `moveCredits`). */
  reference?: string | undefined;
}

export interface Moved {
  /** The account after the movement (on a replay: as it is now). */
  row: AccountRow;
  /** The movement's ledger entry (on a replay: the first movement's). */
  entry: LedgerEntry;
  /** True when the reference was used before and nothing moved this time. */
  replayed: boolean;
}

const AUDIT_ACTION = { topup: "credits.topped_up", adjustment: "credits.adjusted" } as const;

/**
 * Moves credit in one transaction: the ledger entry, the balance, the audit entry. With a
 * reference, its row in `ledger_references` is inserted first and its primary key decides: a
 * second call (a retry, sequential or concurrent; a concurrent one waits for the first to
 * commit) inserts nothing and gets the first movement back, `replayed`, or a
 * `reference_reused` error when it asked for another amount or kind. A balance check that
 * fails (an adjustment below zero) rolls the reference back with the entry.
 */
export async function moveCredits(db: Kysely<PricingDatabase>, m: CreditMovement): Promise<Moved> {
  const reference = m.reference ?? null;
  if (reference !== null && !isReference(reference)) {
    throw invalid("a reference is 1-255 visible ASCII characters (no spaces)");
  }
  return db.transaction().execute(async (tx) => {
    const account = await tx
      .selectFrom("accounts")
      .select("account_id")
      .where(matches(m.account))
      .executeTakeFirst();
    if (!account) throw notFound(m.account);
    const accountId = account.account_id;
    const claimed =
      reference === null ||
      (await tx
        .insertInto("ledger_references")
        .values({ account_id: accountId, reference, ledger_id: null })
        .onConflict((c) => c.columns(["account_id", "reference"]).doNothing())
        .returning("reference")
        .executeTakeFirst()) !== undefined;
    if (!claimed) {
      const first = toLedgerEntry(
        await tx
          .selectFrom("ledger_references as r")
          .innerJoin("ledger", "ledger.id", "r.ledger_id")
          .selectAll("ledger")
          .where("r.account_id", "=", accountId)
          .where("r.reference", "=", reference ?? "")
          .executeTakeFirstOrThrow(),
      );
      if (judgeRetry(first, { kind: m.kind, amount: m.units }) === "conflict") {
        throw new AccountError(
          AccountErrorCode.ReferenceReused,
          `reference "${reference}" is already entry ${first.id} of this account, a ${first.kind} of ${toDecimal(first.amount)}: a different movement needs its own reference`,
        );
      }
      const row = await tx
        .selectFrom("accounts")
        .selectAll()
        .where("account_id", "=", accountId)
        .executeTakeFirstOrThrow();
      return { row, entry: first, replayed: true };
    }
    const inserted = await tx
      .insertInto("ledger")
      .values({
        account_id: accountId,
        kind: m.kind,
        amount: m.units,
        actor: m.actor,
        note: m.note,
        reference,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (reference !== null) {
      await tx
        .updateTable("ledger_references")
        .set({ ledger_id: inserted.id })
        .where("account_id", "=", accountId)
        .where("reference", "=", reference)
        .execute();
    }
    const row = await tx
      .updateTable("accounts")
      .set({
        balance: sql`balance + ${m.units}`,
        low_balance_warned_at: warningStampAfter(m.units),
        updated_at: sql`now()`,
      })
      .where("account_id", "=", accountId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      accountId,
      action: AUDIT_ACTION[m.kind],
      by: m.by,
      target: null,
      details: {
        amount: m.units,
        currency: row.currency,
        note: m.note,
        ...(reference === null ? {} : { reference }),
      },
    });
    return { row, entry: toLedgerEntry(inserted), replayed: false };
  });
}
