import {
  BaseEnv,
  createLogger,
  type Database,
  loadConfig,
  openServiceDatabase,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountOperations } from "./accounts.ts";
import { chargeBatch } from "./db/charges.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import { refundBatch } from "./db/refunds.ts";
import type { PricingDatabase } from "./db/schema.ts";
import { createPriceBook } from "./domain/price-book.ts";

/**
 * The ledger's invariant, on real Postgres, for any sequence of steps (each step a few
 * operations run concurrently): top-ups, charges, refunds (failed / never accepted) and
 * redeliveries (the same message ids again). Afterwards the balance equals the sum of
 * the ledger, is never negative, and every message is charged at most once and refunded
 * at most once, by exactly what it was charged.
 */
const prices = createPriceBook([
  { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
]);
let infra: TestInfra;
let database: Database<PricingDatabase>;
let accounts: ReturnType<typeof createAccountOperations>;

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase<PricingDatabase>(
    loadConfig(BaseEnv, infra.env),
    PRICING_SCHEMA,
    migrations,
    { max: 6 },
  );
  accounts = createAccountOperations({
    db: database.db,
    kv: { put: async () => undefined },
    log: createLogger("property-test", "silent"),
  });
});
afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

type Op =
  | { kind: "topup"; units: number }
  | { kind: "charge"; message: number; parts: number }
  | { kind: "refund"; message: number; reason: "failed" | "not_accepted" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("topup" as const), units: fc.integer({ min: 1, max: 3_000 }) }),
  // A small pool of message ids: the same id comes back (a retry, a redelivery).
  fc.record({
    kind: fc.constant("charge" as const),
    message: fc.integer({ min: 0, max: 7 }),
    parts: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant("refund" as const),
    message: fc.integer({ min: 0, max: 7 }),
    reason: fc.constantFrom("failed" as const, "not_accepted" as const),
  }),
);

let run = 0;

describe("the ledger", () => {
  it("for any sequence of top-ups, charges, refunds and redeliveries, balance == sum(ledger) >= 0", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        async (steps) => {
          run += 1;
          const { accountId } = await accounts.createAccount({ name: `prop-${run}`, credits: 0 });
          const messageId = (n: number) => `msg_prop_${run}_${n}`;
          for (const step of steps) {
            await Promise.all(
              step.map(async (o): Promise<unknown> => {
                switch (o.kind) {
                  case "topup":
                    return accounts.topUp(accountId, o.units, "property", "test");
                  case "charge":
                    return chargeBatch(
                      database.db,
                      [
                        {
                          messageId: messageId(o.message),
                          accountId,
                          to: "+37256789045",
                          parts: o.parts,
                        },
                      ],
                      prices,
                    );
                  case "refund":
                    return refundBatch(database.db, [
                      { messageId: messageId(o.message), reason: o.reason },
                    ]);
                }
              }),
            );
          }
          const [account] = await database.sql<{ balance: string }[]>`
            select balance from accounts where account_id = ${accountId}`;
          const [sum] = await database.sql<{ sum: string }[]>`
            select coalesce(sum(amount), 0) as sum from ledger where account_id = ${accountId}`;
          expect(Number(account?.balance)).toBe(Number(sum?.sum));
          expect(Number(account?.balance)).toBeGreaterThanOrEqual(0);
          const perMessage = await database.sql<
            { message_id: string; charges: number; refunds: number; net: string }[]
          >`
            select message_id,
                   count(*) filter (where kind = 'charge')::int as charges,
                   count(*) filter (where kind = 'refund')::int as refunds,
                   sum(amount) as net
            from ledger where account_id = ${accountId} and message_id is not null
            group by message_id`;
          for (const row of perMessage) {
            expect(row.charges).toBe(1);
            expect(row.refunds).toBeLessThanOrEqual(1);
            if (row.refunds === 1) expect(row.net).toBe("0");
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
