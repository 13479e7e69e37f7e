import { waitFor } from "@smsgw/testkit";
import type { NpmPdu } from "@smsgw/testkit/npm-smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// A concatenated message whose last part never comes (api.md section 6): each part that came
// was answered ESME_ROK with the message's id, so a customer that asked for receipts hears
// REJECTD for that id, through the npm `smpp` client; nothing was charged.

let gateway: Gateway;
let smpp: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => smpp,
);
const { delivered, bound, submit } = customer;

beforeAll(async () => {
  gateway = await startGateway({ SMPP_CONCAT_TIMEOUT_MS: "1000" }, { smppServer: true });
  await gateway.pricing.accounts.createAccount({ name: "smpp-concat", credits: "10" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("smpp-concat");
});

afterEach(() => customer.closeAll());

afterAll(async () => {
  await gateway?.stop();
});

const balance = async () => (await gateway.pricing.accounts.get("smpp-concat"))?.balance ?? NaN;
const firstPartOfTwo = (ref: number, registeredDelivery: number) => ({
  esm_class: 0x40,
  registered_delivery: registeredDelivery,
  short_message: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref, 2, 1]), Buffer.from("half")]),
});
function textOf(pdu: NpmPdu): string {
  const sm = pdu.short_message;
  if (typeof sm === "string") return sm;
  if (Buffer.isBuffer(sm)) return sm.toString("latin1");
  return String(sm?.message ?? "");
}

describe("a concatenated submit whose parts never all come", () => {
  it("when the customer asked for receipts, it hears REJECTD for the id its parts were answered with, and nothing is charged", async () => {
    const session = await bound();
    const before = await balance();
    const answered = await submit(session, firstPartOfTwo(0x31, 1));
    expect(answered.command_status).toBe(0);
    const messageId = String(answered.message_id);
    const receipt = await waitFor(
      () => delivered.find((pdu) => pdu.receipted_message_id === messageId),
      { timeoutMs: 20_000, what: `a receipt for ${messageId}` },
    );
    expect(textOf(receipt)).toContain("stat:REJECTD");
    expect(textOf(receipt)).toContain("err:005");
    expect(await balance()).toBe(before);
  });

  it("when the customer asked for no receipt, none comes for it", async () => {
    const session = await bound();
    const answered = await submit(session, firstPartOfTwo(0x32, 0));
    const messageId = String(answered.message_id);
    // A receipt asked for in the same bind comes after this one's expiry would have.
    const asked = await submit(session, firstPartOfTwo(0x33, 2));
    const askedId = String(asked.message_id);
    await waitFor(() => delivered.find((pdu) => pdu.receipted_message_id === askedId), {
      timeoutMs: 20_000,
      what: `a receipt for ${askedId}`,
    });
    expect(delivered.some((pdu) => pdu.receipted_message_id === messageId)).toBe(false);
  });
});
