import type { MessageEvent, TraceContext } from "@smsgw/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import { type Refund, type RefundReason, refundedEvent } from "../domain/events.ts";
import { recordLedger } from "../metrics.ts";
import { writeOutbox } from "./outbox.ts";
import { type PricingDatabase, toUnits } from "./schema.ts";

/** Who the ledger names as the author of automatic refunds. */
const REFUND_ACTOR = "pricing";
const MAX_ATTEMPTS = 3;

export interface RefundRequest {
  messageId: string;
  reason: RefundReason;
  trace?: TraceContext | undefined;
}

export interface RefundResult {
  /** The refunds this call recorded (a message refunded before is not in it). */
  refunds: Refund[];
  /** Their MessageRefunded events, written to the outbox in the same transaction. */
  events: MessageEvent[];
}

/**
 * Refunds the charges of a batch of messages in ONE transaction, each at most once:
 * the partial unique index `ledger_refund_once` makes a second refund of a message
 * (a redelivered MessageFailed, two replicas, the sweep racing a failure) insert
 * nothing. Messages never charged (or unknown) are skipped. Balances grow by exactly
 * what was inserted, so the balance stays the sum of the ledger.
 */
export async function refundBatch(
  db: Kysely<PricingDatabase>,
  requests: readonly RefundRequest[],
): Promise<RefundResult> {
  if (requests.length === 0) return { refunds: [], events: [] };
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.transaction().execute((tx) => refundInTransaction(tx, requests));
      recordLedger("refund", result.refunds);
      return result;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= MAX_ATTEMPTS || (code !== "40001" && code !== "40P01")) throw error;
    }
  }
}

async function refundInTransaction(
  tx: Transaction<PricingDatabase>,
  requests: readonly RefundRequest[],
): Promise<RefundResult> {
  // First request per message wins (a failure and the sweep in one batch: one refund).
  const byMessage = new Map<string, RefundRequest>();
  for (const request of requests) {
    if (!byMessage.has(request.messageId)) byMessage.set(request.messageId, request);
  }
  const charges = await tx
    .selectFrom("ledger")
    .innerJoin("accounts", "accounts.account_id", "ledger.account_id")
    .select(["ledger.message_id", "ledger.account_id", "ledger.amount", "accounts.currency"])
    .where("ledger.kind", "=", "charge")
    .where("ledger.message_id", "in", [...byMessage.keys()])
    .execute();
  const toRefund = charges.filter((c) => toUnits(c.amount) < 0);

  let refunds: Refund[] = [];
  if (toRefund.length > 0) {
    // Lock the accounts in id order, as charge batches do: no deadlock between them.
    const accountIds = [...new Set(toRefund.map((c) => c.account_id))].sort();
    await tx
      .selectFrom("accounts")
      .select("account_id")
      .where("account_id", "in", accountIds)
      .orderBy("account_id")
      .forUpdate()
      .execute();
    const inserted = await tx
      .insertInto("ledger")
      .values(
        toRefund
          .sort((a, b) => (a.message_id ?? "").localeCompare(b.message_id ?? ""))
          .map((charge) => ({
            account_id: charge.account_id,
            kind: "refund" as const,
            amount: -toUnits(charge.amount),
            message_id: charge.message_id,
            actor: REFUND_ACTOR,
            note: byMessage.get(charge.message_id ?? "")?.reason ?? "",
          })),
      )
      .onConflict((oc) => oc.column("message_id").where(sql<boolean>`kind = 'refund'`).doNothing())
      .returning(["message_id", "account_id", "amount"])
      .execute();
    const currencies = new Map(toRefund.map((c) => [c.message_id, c.currency]));
    refunds = inserted.map((row) => ({
      messageId: row.message_id ?? "",
      accountId: row.account_id,
      amount: toUnits(row.amount),
      currency: currencies.get(row.message_id) ?? "",
      reason: byMessage.get(row.message_id ?? "")?.reason ?? "failed",
    }));
    await addToBalances(tx, refunds);
  }

  const occurredAt = new Date().toISOString();
  const events = refunds.map((refund) =>
    refundedEvent(refund, occurredAt, byMessage.get(refund.messageId)?.trace),
  );
  await writeOutbox(tx, events);
  return { refunds, events };
}

async function addToBalances(tx: Transaction<PricingDatabase>, refunds: readonly Refund[]) {
  const sums = new Map<string, number>();
  for (const refund of refunds) {
    sums.set(refund.accountId, (sums.get(refund.accountId) ?? 0) + refund.amount);
  }
  if (sums.size === 0) return;
  const rows = [...sums].map(([id, amount]) => sql`(${id}::text, ${amount}::bigint)`);
  await sql`
    update accounts as a set balance = a.balance + v.amount, updated_at = now()
    from (values ${sql.join(rows)}) as v (account_id, amount)
    where a.account_id = v.account_id`.execute(tx);
}
