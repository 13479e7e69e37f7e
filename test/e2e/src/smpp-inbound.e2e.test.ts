import { openDatabase } from "@smsgw/service-kit";
import { decodeGsm7Unpacked, decodeUcs2 } from "@smsgw/sms-text";
import { waitFor } from "@smsgw/testkit";
import type { NpmPdu } from "@smsgw/testkit/npm-smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// Inbound messages to a customer's number over SMPP (api.md section 6: "inbound messages to
// the account's numbers go the same way", esm_class 0): an MO from the simulated carrier,
// through the connector and the inbound service, to the account's receiver bound to
// smpp-server, through a client we did not write (npm `smpp`).
const NUMBERS = ["+37250000001", "+37250000002"];
const HANDSET = "+37256789045";

let gateway: Gateway;
let account: { accountId: string; hash: string; token: string };
let smpp: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => smpp,
);

beforeAll(async () => {
  // Under the permission file (ADR 0015): the SMPP server's and the inbound service's grants.
  gateway = await startGateway({}, { smppServer: true, inbound: true, natsAuth: true });
  for (const number of NUMBERS) {
    await gateway.inbound?.numbers.put({
      number,
      carrierId: "sim-a",
      country: "EE",
      simulator: true,
    });
  }
  account = await gateway.pricing.accounts.createAccount({ name: "smpp-mo", credits: "1" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("smpp-mo");
});

afterEach(() => customer.closeAll());

afterAll(async () => {
  await gateway?.stop();
});

async function takeNumber(number: string): Promise<void> {
  const basic = Buffer.from(`${account.hash}:${account.token}`).toString("base64");
  const taken = await fetch(`${gateway.baseUrl}/v1/numbers`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/json" },
    body: JSON.stringify({ number }),
  });
  expect(taken.status).toBe(201);
}

/** An MO from the simulator's carrier (retried until the connector's receiver is bound). */
async function sendMo(to: string, text: string): Promise<void> {
  const status = await waitFor(
    async () =>
      gateway.simulator.sendMo("sim-a", { from: HANDSET, to, text }).catch(() => undefined),
    { what: "an SMPP receiver bound to sim-a" },
  );
  expect(status).toBe(0);
}

/** The text of a deliver_sm as the npm client hands it over: decoded already, or bytes. */
function textOf(pdu: NpmPdu): string {
  const field = (value: unknown): string | Buffer | undefined => {
    if (typeof value === "string" || Buffer.isBuffer(value)) return value;
    const message = (value as { message?: unknown } | null | undefined)?.message;
    return typeof message === "string" || Buffer.isBuffer(message) ? message : undefined;
  };
  const short = field(pdu.short_message);
  const content = short !== undefined && short.length > 0 ? short : field(pdu.message_payload);
  if (typeof content === "string") return content;
  const bytes = content ?? Buffer.alloc(0);
  return Number(pdu.data_coding) === 8 ? decodeUcs2(bytes) : decodeGsm7Unpacked(bytes);
}

const inboundFor = (to: string) =>
  waitFor(
    () =>
      customer.delivered.find(
        (pdu) => Number(pdu.esm_class) === 0 && pdu.destination_addr === to.slice(1),
      ),
    { timeoutMs: 20_000, what: `a deliver_sm (esm_class 0) for ${to}` },
  );

describe("inbound messages over SMPP", () => {
  it("when a handset texts the account's number while it has a receiver bound, the message arrives as deliver_sm with esm_class 0, from the handset to the number", async () => {
    const [number = ""] = NUMBERS;
    await takeNumber(number);
    await customer.bound("bind_receiver");
    await sendMo(number, "Hello over SMPP");
    const pdu = await inboundFor(number);
    expect(pdu.source_addr).toBe(HANDSET.slice(1));
    expect(textOf(pdu)).toBe("Hello over SMPP");
  });

  it("when it arrives while no receiver is bound, it is kept and sent on the next bind", async () => {
    const [, number = ""] = NUMBERS;
    await takeNumber(number);
    await sendMo(number, "Kept for you");
    // Stored by smpp-server while nobody is bound, before any bind.
    const database = openDatabase(gateway.infra.env.DATABASE_URL ?? "", "smpp_server", { max: 1 });
    try {
      await waitFor(
        async () => {
          const rows = await database.sql<{ n: number }[]>`
            select count(*)::int as n from receipts
            where account_id = ${account.accountId} and message_id like 'in\_%'`;
          return (rows[0]?.n ?? 0) > 0 || undefined;
        },
        { what: "the inbound message kept for the account's binds" },
      );
    } finally {
      await database.close();
    }
    expect(customer.delivered.some((pdu) => pdu.destination_addr === number.slice(1))).toBe(false);
    await customer.bound("bind_transceiver");
    const pdu = await inboundFor(number);
    expect(textOf(pdu)).toBe("Kept for you");
  });
});
