import { waitFor } from "@smsgw/testkit";
import type { NpmPdu, NpmSession } from "@smsgw/testkit/npm-smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// query_sm and cancel_sm of a customer's own messages (api.md section 6, ADR 0030), through a
// client we did not write (npm `smpp`) and the whole gateway: the state query_sm answers is
// the one the message's receipt carries, and cancel_sm takes back a message waiting for its
// schedule_delivery_time before any carrier sees it.

const ESME_RCANCELFAIL = 0x11;
const ESME_RQUERYFAIL = 0x67;
const ESME_RSYSERR = 0x08;
const STATE = { ENROUTE: 1, DELIVERED: 2, DELETED: 4 };

let gateway: Gateway;
let owner: { systemId: string; password: string };
let stranger: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => owner,
);
const other = smppCustomer(
  () => gateway.smppServer?.port,
  () => stranger,
);

beforeAll(async () => {
  gateway = await startGateway({}, { smppServer: true });
  const { accounts } = gateway.pricing;
  await accounts.createAccount({ name: "smpp-query", credits: "10" });
  owner = await accounts.rotateSmppCredentials("smpp-query");
  await accounts.createAccount({ name: "smpp-stranger", credits: "10" });
  stranger = await accounts.rotateSmppCredentials("smpp-stranger");
}, 120_000);

afterEach(() => {
  customer.closeAll();
  other.closeAll();
});

afterAll(async () => {
  await gateway?.stop();
});

const FROM = { source_addr_ton: 5, source_addr: "MyApp" };

function query(session: NpmSession, messageId: string, from = FROM): Promise<NpmPdu> {
  return customer.call(session, "query_sm", { message_id: messageId, ...from });
}

function cancel(session: NpmSession, messageId: string): Promise<NpmPdu> {
  return customer.call(session, "cancel_sm", {
    message_id: messageId,
    ...FROM,
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: "37256789045",
  });
}

function receiptFor(messageId: string): Promise<NpmPdu> {
  return waitFor(() => customer.delivered.find((pdu) => pdu.receipted_message_id === messageId), {
    timeoutMs: 30_000,
    what: `a receipt for ${messageId}`,
  });
}

function textOf(pdu: NpmPdu): string {
  const sm = pdu.short_message;
  if (typeof sm === "string") return sm;
  if (Buffer.isBuffer(sm)) return sm.toString("latin1");
  return String(sm?.message ?? "");
}

describe("query_sm and cancel_sm, with the npm smpp client", () => {
  it("when a scheduled message is queried, canceled and queried again, it goes from ENROUTE to DELETED, is reported so and never sent", async () => {
    const session = await customer.bound();
    const text = "Scheduled over SMPP";
    const submitted = await customer.submit(session, {
      short_message: text,
      registered_delivery: 1,
      // Eight seconds from now (relative time), soon enough to see that nothing goes out.
      schedule_delivery_time: "000000000008000R",
    });
    expect(submitted.command_status).toBe(0);
    const messageId = String(submitted.message_id);
    const due = Date.now() + 8_000;

    const waiting = await waitFor(
      async () => {
        const answer = await query(session, messageId);
        return answer.command_status === 0 ? answer : undefined;
      },
      { what: "the message's record" },
    );
    expect(waiting).toMatchObject({ message_id: messageId, message_state: STATE.ENROUTE });
    expect(waiting.error_code).toBe(0);
    expect(waiting.final_date || "").toBe("");

    const canceled = await waitFor(
      async () => {
        const answer = await cancel(session, messageId);
        // Until routing holds it (a moment after its acceptance): ESME_RSYSERR, try again.
        return answer.command_status === ESME_RSYSERR ? undefined : answer;
      },
      { timeoutMs: 30_000, what: "the cancel" },
    );
    expect(canceled.command_status).toBe(0);

    const receipt = await receiptFor(messageId);
    expect(textOf(receipt)).toContain("stat:DELETED err:010");
    expect(receipt.message_state).toBe(STATE.DELETED);

    const ended = await waitFor(
      async () => {
        const answer = await query(session, messageId);
        return answer.message_state === STATE.DELETED ? answer : undefined;
      },
      { what: "the canceled state" },
    );
    expect(ended.command_status).toBe(0);
    expect(ended.error_code).toBe(10);
    expect(ended.final_date).toBeInstanceOf(Date);
    expect(Math.abs((ended.final_date as Date).getTime() - Date.now())).toBeLessThan(60_000);

    // Asked again: the same answer.
    expect((await cancel(session, messageId)).command_status).toBe(0);
    // Past its sendAt and the schedule's next look: nothing reached the carrier.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due + 3_000 - Date.now())));
    expect(gateway.simulator.submissions().filter((s) => s.text === text)).toEqual([]);
  });

  it("when a sent message is queried, its final state, date and error come back; it cannot be canceled", async () => {
    const session = await customer.bound();
    const submitted = await customer.submit(session, {
      short_message: "Delivered over SMPP",
      registered_delivery: 1,
    });
    expect(submitted.command_status).toBe(0);
    const messageId = String(submitted.message_id);
    await receiptFor(messageId);

    const answer = await waitFor(
      async () => {
        const read = await query(session, messageId);
        return read.message_state === STATE.DELIVERED ? read : undefined;
      },
      { what: "the delivered state" },
    );
    expect(answer).toMatchObject({ command_status: 0, message_id: messageId, error_code: 0 });
    expect(answer.final_date).toBeInstanceOf(Date);
    expect((await cancel(session, messageId)).command_status).toBe(ESME_RCANCELFAIL);
  });

  it("when an id is not the account's, not a message, or asked with another source_addr, the query and the cancel fail", async () => {
    const session = await customer.bound();
    const submitted = await customer.submit(session, {
      short_message: "Mine over SMPP",
      schedule_delivery_time: "000001000000000R",
    });
    const messageId = String(submitted.message_id);
    await waitFor(async () => (await query(session, messageId)).command_status === 0, {
      what: "the message's record",
    });

    const strangers = await other.bound();
    expect((await query(strangers, messageId)).command_status).toBe(ESME_RQUERYFAIL);
    expect((await cancel(strangers, messageId)).command_status).toBe(ESME_RCANCELFAIL);
    expect((await query(session, "msg_01JZZZZZZZZZZZZZZZZZZZZZZZ")).command_status).toBe(
      ESME_RQUERYFAIL,
    );
    expect((await query(session, "not-an-id")).command_status).toBe(ESME_RQUERYFAIL);
    const otherSender = { source_addr_ton: 5, source_addr: "Other" };
    expect((await query(session, messageId, otherSender)).command_status).toBe(ESME_RQUERYFAIL);
    // Every message from a source to a destination (no message_id): not served.
    expect((await cancel(session, "")).command_status).toBe(ESME_RCANCELFAIL);

    // The stranger's cancel took nothing: the owner's still does.
    const canceled = await waitFor(
      async () => {
        const answer = await cancel(session, messageId);
        return answer.command_status === ESME_RSYSERR ? undefined : answer;
      },
      { timeoutMs: 30_000, what: "the owner's cancel" },
    );
    expect(canceled.command_status).toBe(0);
  });
});
