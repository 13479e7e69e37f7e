import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// A receipt is kept while no receiver is bound until its message's validity ends (api.md
// section 6), not a fixed TTL: one for a message valid a few seconds is given up after them,
// one for a message valid an hour is sent on the next bind. The least keep is a second here
// (an hour by default), so the short validity ends within the test; no fixed sleeps.

let gateway: Gateway;
let sql: postgres.Sql;
let smpp: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => smpp,
);

beforeAll(async () => {
  gateway = await startGateway({ SMPP_RECEIPT_MIN_KEEP_MS: "1000" }, { smppServer: true });
  await gateway.pricing.accounts.createAccount({ name: "smpp-validity", credits: "10" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("smpp-validity");
  sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
}, 120_000);

afterEach(() => customer.closeAll());

afterAll(async () => {
  await sql?.end();
  await gateway?.stop();
});

/** The stored receipt's expiry and the validity its status change carried. */
async function stored(messageId: string) {
  const [row] = await sql<Array<{ expires_at: Date; valid_until: string | null; gone: boolean }>>`
    select expires_at, change->>'validUntil' as valid_until, expires_at <= now() as gone
    from smpp_server.receipts where message_id = ${messageId}`;
  return row;
}

describe("SMPP receipts kept until the message's validity ends", () => {
  it("when no receiver is bound, a receipt for a message valid 3 seconds is given up after them and one valid an hour is sent on the next bind", async () => {
    const transmitter = await customer.bound("bind_transmitter");
    const short = await customer.submit(transmitter, {
      short_message: "valid for seconds",
      registered_delivery: 1,
      validity_period: "000000000003000R",
    });
    const long = await customer.submit(transmitter, {
      short_message: "valid for an hour",
      registered_delivery: 1,
      validity_period: "000000010000000R",
    });
    expect([short.command_status, long.command_status]).toEqual([0, 0]);
    transmitter.close();
    const shortId = String(short.message_id);
    const longId = String(long.message_id);

    // Both final (delivered, or expired if the carrier was slower than 3 s): receipts owed.
    const [shortRow, longRow] = await waitFor(
      async () => {
        const rows = [await stored(shortId), await stored(longId)];
        return rows[0] && rows[1] ? rows : undefined;
      },
      { timeoutMs: 20_000, what: "both receipts stored" },
    );
    // Each kept until its message's validity ends (the status change carries it).
    expect(shortRow?.valid_until).not.toBeNull();
    expect(shortRow?.expires_at.getTime()).toBeGreaterThanOrEqual(
      Date.parse(String(shortRow?.valid_until)),
    );
    expect(Number(shortRow?.expires_at.getTime()) - Date.now()).toBeLessThan(5_000);
    expect(longRow?.expires_at.getTime()).toBe(Date.parse(String(longRow?.valid_until)));
    expect(Number(longRow?.expires_at.getTime()) - Date.now()).toBeGreaterThan(50 * 60_000);

    await waitFor(async () => (await stored(shortId))?.gone || undefined, {
      timeoutMs: 10_000,
      what: "the short validity's receipt past its expiry",
    });
    await customer.bound("bind_receiver");
    await waitFor(() => customer.delivered.find((pdu) => pdu.receipted_message_id === longId), {
      timeoutMs: 20_000,
      what: "the long validity's receipt on the new bind",
    });
    // Both were due in the same claim had the short one not expired: it never comes, the
    // long one is gone (acknowledged), the short one waits for the purge unsent.
    await waitFor(async () => (await stored(longId)) === undefined || undefined, {
      what: "the acknowledged receipt deleted",
    });
    expect(customer.delivered.some((pdu) => pdu.receipted_message_id === shortId)).toBe(false);
    expect(await stored(shortId)).toMatchObject({ gone: true });
  });
});
