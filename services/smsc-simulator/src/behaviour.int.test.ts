import { createLogger } from "@smsgw/service-kit";
import {
  type BindMode,
  bindClient,
  CommandStatus,
  type DataSm,
  type DeliverSm,
  readKnownTlvs,
  readMessageContent,
  readReceipt,
  type SmppSession,
  submitSm,
} from "@smsgw/smpp";
import { waitFor } from "@smsgw/testkit";
import { type NpmPdu, npmSmpp } from "@smsgw/testkit/npm-smpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadSmscSimulatorConfig } from "./config.ts";
import { type StartedSmscSimulator, startSmscSimulator } from "./service.ts";

const log = createLogger("smsc-simulator-test", process.env.TEST_LOG_LEVEL ?? "silent");
let simulator: StartedSmscSimulator;
const sessions: SmppSession[] = [];

beforeAll(async () => {
  simulator = await startSmscSimulator(
    loadSmscSimulatorConfig({
      HEALTH_PORT: "0",
      SIM_CARRIERS: JSON.stringify([{ id: "sim-a", port: 0, receiptDelayMs: 5, outcomes: [] }]),
    }),
    log,
  );
});
// Receipts go round robin to every bound session of the carrier: each test binds its own.
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.unbind()));
});
afterAll(async () => {
  await simulator.stop();
});

async function bind(mode: BindMode = "transceiver") {
  const session = await bindClient({
    host: "127.0.0.1",
    port: simulator.ports["sim-a"] ?? 0,
    systemId: "sim-a",
    password: "secret",
    mode,
    windowSize: 100,
  });
  sessions.push(session);
  const delivered: DeliverSm[] = [];
  const dataSms: DataSm[] = [];
  session.on("request", (pdu) => {
    if (pdu.command === "deliver_sm") delivered.push(pdu);
    else if (pdu.command === "data_sm") dataSms.push(pdu);
    else return;
    session.respond(pdu);
  });
  return { session, delivered, dataSms };
}

const submit = (session: SmppSession, destinationAddr = "37256789045", registeredDelivery = 1) =>
  session.request(
    submitSm({ destinationAddr, registeredDelivery, shortMessage: Buffer.from("Hi") }),
  );

const http = (method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${simulator.healthPort}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("behaviour changed at run time", () => {
  it("when a TPS limit is set, submits past it in one second get ESME_RTHROTTLED", async () => {
    simulator.configure("sim-a", { tps: 5, outcomes: [] });
    const { session } = await bind();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submit(session, "37256789045", 0)),
    );
    const elapsed = Date.now() - started;
    const accepted = answers.filter((a) => a.commandStatus === 0).length;
    const throttled = answers.filter((a) => a.commandStatus === CommandStatus.ESME_RTHROTTLED);
    // The 20 submits land within the one-second windows this span touches: one or two on an
    // idle machine, more when a busy one stretches the span.
    const windows = Math.floor(elapsed / 1000) + 2;
    expect(accepted).toBeGreaterThanOrEqual(5);
    expect(accepted).toBeLessThanOrEqual(Math.min(5 * windows, 19));
    expect(throttled.length).toBe(20 - accepted);
    simulator.configure("sim-a", { outcomes: [] });
  });

  it.each([
    ["text", true, false],
    ["tlv", false, true],
    ["both", true, true],
  ] as const)(
    "when the receipt dialect is %s, the receipt has text %s and TLVs %s",
    async (dialect, hasText, hasTlvs) => {
      simulator.configure("sim-a", { receiptDialect: dialect, receiptDelayMs: 0, outcomes: [] });
      const { session, delivered } = await bind();
      const resp = await submit(session);
      await waitFor(() => delivered.length === 1, { what: "the receipt" });
      const pdu = delivered[0] as DeliverSm;
      expect(pdu.shortMessage.length > 0).toBe(hasText);
      expect(readKnownTlvs(pdu.tlvs).receiptedMessageId !== undefined).toBe(hasTlvs);
      expect(readReceipt(pdu)).toMatchObject({ carrierMessageId: resp.messageId, stat: "DELIVRD" });
    },
  );

  it("when receipts write decimal ids for hex submits, the receipt's id is the same number", async () => {
    simulator.configure("sim-a", { receiptIdBase: "decimal", receiptDelayMs: 0, outcomes: [] });
    const { session, delivered } = await bind();
    const resp = await submit(session);
    await waitFor(() => delivered.length === 1, { what: "the receipt" });
    expect(readReceipt(delivered[0] as DeliverSm)?.carrierMessageId).toBe(
      String(Number.parseInt(resp.messageId, 16)),
    );
  });

  it("when intermediateNotifications is set, an ENROUTE notice (esm_class 0x20, not a receipt) comes before each receipt, unasked", async () => {
    simulator.configure("sim-a", {
      intermediateNotifications: true,
      receiptDelayMs: 50,
      outcomes: [],
    });
    const { session, delivered } = await bind();
    const resp = await submit(session);
    await waitFor(() => delivered.length === 2, { what: "the notice and the receipt" });
    const [notice, receipt] = delivered as [DeliverSm, DeliverSm];
    expect(notice.esmClass).toBe(0x20);
    expect(notice.shortMessage.toString("latin1")).toContain("stat:ENROUTE");
    expect(readReceipt(notice)).toBeNull();
    expect(receipt.esmClass).toBe(0x04);
    expect(readReceipt(receipt)).toMatchObject({
      carrierMessageId: resp.messageId,
      stat: "DELIVRD",
    });
  });

  it("when a prefix's receipt outcome is 'none', the submit is accepted and no receipt follows", async () => {
    simulator.configure("sim-a", {
      receiptDelayMs: 0,
      outcomes: [{ prefix: "+3725", receipts: [{ stat: "none", weight: 1 }] }],
    });
    const { session, delivered } = await bind();
    expect((await submit(session, "37255123456")).commandStatus).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(delivered).toEqual([]);
  });

  it("when a response delay is set, submit_sm_resp comes that late but the submit is taken at once", async () => {
    simulator.configure("sim-a", { responseDelayMs: 300, receiptDelayMs: 0, outcomes: [] });
    const { session, delivered } = await bind();
    const before = simulator.submissions().length;
    // Order of arrival, not time: a busy machine may stretch the receipt's way past 300 ms.
    const arrivals: string[] = [];
    session.on("request", (pdu) => {
      if (pdu.command === "deliver_sm") arrivals.push("receipt");
    });
    const started = Date.now();
    const answer = submit(session, "37256789045").then((resp) => {
      arrivals.push("answer");
      return resp;
    });
    await waitFor(() => simulator.submissions().length === before + 1, { what: "the submit" });
    await waitFor(() => delivered.length === 1, { what: "the receipt" });
    expect((await answer).commandStatus).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // The receipt (no delay) overtakes the late response: an early receipt, as carriers do.
    expect(arrivals).toEqual(["receipt", "answer"]);
  });

  it("when emptyMessageId is set, submit_sm_resp is OK with an empty message_id and the receipt carries the carrier's own id", async () => {
    simulator.configure("sim-a", { emptyMessageId: true, receiptDelayMs: 0, outcomes: [] });
    const { session, delivered } = await bind();
    const answer = await submit(session, "37256789045");
    expect(answer).toMatchObject({ commandStatus: 0, messageId: "" });
    await waitFor(() => delivered.length === 1, { what: "the receipt" });
    const receipt = readReceipt(delivered[0] as DeliverSm);
    expect(receipt?.carrierMessageId).toBe(simulator.submissions().at(-1)?.carrierMessageId);
    expect(receipt?.carrierMessageId).not.toBe("");
  });

  it("when unbindAfterBindMs is set, the carrier sends unbind that long after the bind and the session closes once answered", async () => {
    simulator.configure("sim-a", { unbindAfterBindMs: 50, outcomes: [] });
    const { session } = await bind();
    const unbinds: number[] = [];
    session.on("pdu", (direction, pdu) => {
      if (direction === "in" && pdu.command === "unbind") unbinds.push(pdu.sequenceNumber);
    });
    expect(await session.closed).toEqual({ error: undefined });
    expect(unbinds).toHaveLength(1);
  });

  it("when wedgeAfterSubmits is set, each session answers that many submits and then none, while enquire_link is still answered and a new session answers again", async () => {
    simulator.configure("sim-a", { wedgeAfterSubmits: 1, outcomes: [] });
    const before = simulator.submissions().length;
    // Only the wedged submit needs its timeout to fire: the answered ones get room to spare.
    const send = (session: SmppSession, timeoutMs = 10_000) =>
      session.request(
        submitSm({ destinationAddr: "37256789045", shortMessage: Buffer.from("w") }),
        { timeoutMs },
      );
    const { session } = await bind();
    expect((await send(session)).commandStatus).toBe(0);
    await expect(send(session, 200)).rejects.toMatchObject({ name: "SmppResponseTimeoutError" });
    expect((await session.request({ command: "enquire_link" })).commandStatus).toBe(0);
    expect(session.state).toBe("bound");

    const { session: next } = await bind();
    expect((await send(next)).commandStatus).toBe(0);
    // The unanswered one was not taken.
    expect(simulator.submissions().length - before).toBe(2);
  });

  it("when PUT /carriers/{id} gets a bad body it answers 400, a good one replaces the behaviour", async () => {
    const bad = await http("PUT", "/carriers/sim-a", { tps: -1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_behaviour" });
    const good = await http("PUT", "/carriers/sim-a", {
      outcomes: [{ prefix: "+1", submitErrors: [{ commandStatus: 0x14, rate: 1 }] }],
    });
    expect(good.status).toBe(200);
    const { session } = await bind();
    expect((await submit(session, "15551234567")).commandStatus).toBe(CommandStatus.ESME_RMSGQFUL);
    expect((await http("GET", "/carriers/nope")).status).toBe(404);
  });

  it("when POST /carriers/{id}/drop-binds is called, every session of the carrier closes", async () => {
    const { session } = await bind();
    expect(simulator.openBinds()["sim-a"]).toBeGreaterThanOrEqual(1);
    const before = (await (await http("GET", "/carriers/sim-a")).json()) as { openBinds: number };
    expect(before.openBinds).toBe(simulator.openBinds()["sim-a"]);
    const response = await http("POST", "/carriers/sim-a/drop-binds");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { dropped: number }).dropped).toBeGreaterThanOrEqual(1);
    await session.closed;
    expect(session.state).toBe("closed");
    expect(simulator.openBinds()["sim-a"]).toBe(0);
  });

  it("when POST /carriers/{id}/restart-ids is called, the ids it gave out come again from the first, each with its receipt", async () => {
    const { session, delivered } = await bind();
    await submit(session);
    await submit(session);
    const response = await http("POST", "/carriers/sim-a/restart-ids");
    expect(response.status).toBe(200);
    const { nextId } = (await response.json()) as { nextId: string };
    const again = [(await submit(session)).messageId, (await submit(session)).messageId];

    const given = simulator.submissions().map((s) => s.carrierMessageId);
    expect(again[0]).toBe(nextId);
    expect(again[0]).toBe(given[0]);
    expect(given.filter((id) => id === again[1])).toHaveLength(2);
    await waitFor(() => delivered.length === 4);
    expect(delivered.map((pdu) => readReceipt(pdu)?.carrierMessageId)).toEqual(
      expect.arrayContaining(again),
    );
  });

  it("when an MO is sent, a bound transceiver gets an ordinary deliver_sm (esm_class 0)", async () => {
    const { delivered } = await bind();
    const status = await simulator.sendMo("sim-a", {
      from: "+37256789045",
      to: "1234",
      text: "STOP",
    });
    expect(status).toBe(0);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      esmClass: 0,
      sourceAddr: "37256789045",
      sourceAddrTon: 1,
    });
  });
});

describe("receipts and MO as data_sm", () => {
  afterAll(() => simulator.configure("sim-a", { outcomes: [] }));

  it.each([
    ["both", true],
    ["tlv", false],
  ] as const)(
    "when receipts go as data_sm in the %s dialect, a receiver gets a data_sm (text in message_payload: %s) it reads as the receipt",
    async (dialect, hasText) => {
      simulator.configure("sim-a", {
        receiptCommand: "data_sm",
        receiptDialect: dialect,
        receiptDelayMs: 0,
        outcomes: [],
      });
      const receiver = await bind("receiver");
      const transmitter = await bind("transmitter");
      const resp = await submit(transmitter.session);
      // The transmitter cannot carry it: the receipt goes to the receiver.
      await waitFor(() => receiver.dataSms.length === 1, { what: "the data_sm receipt" });
      const pdu = receiver.dataSms[0] as DataSm;
      expect([...receiver.delivered, ...transmitter.delivered, ...transmitter.dataSms]).toEqual([]);
      expect(pdu.esmClass).toBe(0x04);
      expect(readKnownTlvs(pdu.tlvs).messagePayload !== undefined).toBe(hasText);
      expect(readReceipt(pdu)).toMatchObject({ carrierMessageId: resp.messageId, stat: "DELIVRD" });
    },
  );

  it("when MO go as data_sm, a bound receiver gets each part as a data_sm, the text and UDH in message_payload", async () => {
    simulator.configure("sim-a", { moCommand: "data_sm", outcomes: [] });
    const { delivered, dataSms } = await bind("receiver");
    const status = await simulator.sendMo("sim-a", {
      from: "+37256789045",
      to: "1234",
      text: "x".repeat(200),
      concat: "udh8",
      ref: 5,
    });
    expect(status).toBe(0);
    expect(delivered).toEqual([]);
    expect(dataSms.map((pdu) => [pdu.esmClass, readMessageContent(pdu).part])).toEqual([
      [0x40, { ref: 5, total: 2, seq: 1 }],
      [0x40, { ref: 5, total: 2, seq: 2 }],
    ]);
    expect(dataSms[0]).toMatchObject({ sourceAddr: "37256789045", sourceAddrTon: 1 });
  });
});

describe("interop: the npm smpp package as the client", () => {
  it("binds, submits, and gets a receipt it can read", async () => {
    simulator.configure("sim-a", { receiptDelayMs: 0, outcomes: [] });
    const client = npmSmpp.connect({ url: `smpp://127.0.0.1:${simulator.ports["sim-a"]}` });
    const receipts: NpmPdu[] = [];
    client.on("deliver_sm", (pdu) => {
      receipts.push(pdu);
      client.send(pdu.response());
    });
    client.on("error", () => undefined);
    const bound = await new Promise<NpmPdu>((resolve) =>
      client.bind_transceiver({ system_id: "sim-a", password: "secret" }, resolve),
    );
    expect(bound.command_status).toBe(0);
    const resp = await new Promise<NpmPdu>((resolve) =>
      client.submit_sm(
        { destination_addr: "37256789045", short_message: "Hello", registered_delivery: 1 },
        resolve,
      ),
    );
    expect(resp.command_status).toBe(0);
    expect(resp.message_id).toMatch(/^[0-9a-f]{8}$/);
    await waitFor(() => receipts.length === 1, { what: "the receipt" });
    expect(receipts[0]?.esm_class).toBe(0x04);
    expect(receipts[0]?.receipted_message_id).toBe(resp.message_id);
    expect(simulator.submissions().at(-1)).toMatchObject({ text: "Hello" });
    await new Promise<void>((resolve) => client.unbind(() => resolve()));
    client.close();
  });
});
