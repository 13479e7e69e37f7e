import { type InboundMessageReceived, NATS_OPERATOR_USER } from "@smsgw/contracts";
import { createLogger, type RunningConsumer } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { type NpmPdu, type NpmServer, type NpmSession, npmSmpp } from "@smsgw/testkit/npm-smpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { observeEvents, order, recordInbound } from "./harness.testing.ts";
import { type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

/**
 * The connector against an SMSC we did not write: a server built with the npm `smpp` package
 * that accepts binds, answers submits with decimal ids and sends receipts in the text form
 * plus TLVs (as deliver_sm, or as data_sm with the text in message_payload), and MO (as
 * deliver_sm and as data_sm).
 */
const log = createLogger("connector-interop-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let server: NpmServer;
let connector: StartedCarrierConnector;
let events: Awaited<ReturnType<typeof observeEvents>>;
let inboundConsumer: RunningConsumer;
const inbound: InboundMessageReceived[] = [];
const submits: NpmPdu[] = [];
const sessions: NpmSession[] = [];
let nextId = 7_000;
/** The PDU the server sends its receipts in (SMPP 3.4 4.7 allows either). */
let receiptsAs: "deliver_sm" | "data_sm" = "deliver_sm";
/** The connector's answers to the receipts. */
const receiptAnswers: NpmPdu[] = [];

function startServer(): Promise<NpmServer> {
  const s = npmSmpp.createServer((session) => {
    sessions.push(session);
    session.on("error", () => undefined);
    session.on("bind_transceiver", (pdu) => {
      const ok = pdu.system_id === "gw" && pdu.password === "pw";
      session.send(pdu.response(ok ? {} : { command_status: 0x0e }));
    });
    session.on("enquire_link", (pdu) => session.send(pdu.response()));
    session.on("unbind", (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on("submit_sm", (pdu) => {
      submits.push(pdu);
      const id = String(nextId++);
      session.send(pdu.response({ message_id: id }));
      setTimeout(() => {
        const text = `id:${id} sub:001 dlvrd:001 submit date:2611250400 done date:2611250401 stat:DELIVRD err:000 text:`;
        const receipt = {
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 4,
          receipted_message_id: id,
          message_state: 2,
        };
        const answered = (resp: NpmPdu) => void receiptAnswers.push(resp);
        if (receiptsAs === "data_sm") {
          session.data_sm({ ...receipt, message_payload: Buffer.from(text) }, answered);
        } else {
          session.deliver_sm({ ...receipt, short_message: text }, answered);
        }
      }, 20);
    });
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  server = await startServer();
  connector = await startCarrierConnector(
    loadCarrierConnectorConfig({
      ...infra.env,
      HEALTH_PORT: "0",
      CARRIERS: JSON.stringify([
        {
          id: "npm",
          port: server.address().port,
          systemId: "gw",
          password: "pw",
          idBase: "decimal",
        },
      ]),
    }),
    log,
  );
  events = await observeEvents(infra.envOf(NATS_OPERATOR_USER), log);
  inboundConsumer = await recordInbound(events.messaging, inbound, log);
});

afterAll(async () => {
  await inboundConsumer?.stop();
  await events?.close();
  await connector?.stop();
  for (const session of sessions) session.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await infra?.cleanup();
});

/** An MO from an international number to 1234, on the server's latest session: its answer. */
function sendMo(command: "deliver_sm" | "data_sm", fields: Record<string, unknown>) {
  const session = sessions.at(-1) as NpmSession;
  const mo = { source_addr_ton: 1, destination_addr: "1234", ...fields };
  return new Promise<NpmPdu>((resolve) => session[command](mo, resolve));
}

describe("interop with the npm smpp package's server", () => {
  it("binds, submits a 2-part message and maps both receipts", async () => {
    await waitFor(() => connector.boundCarriers().includes("npm"), { what: "the bind" });
    const event = order("npm", "+37256000001", "x".repeat(200));
    expect(event.data.parts).toBe(2);
    await events.handOver(event);
    await waitFor(() => events.ofType(event.messageId, "ReceiptReceived").length === 2, {
      what: "two receipts",
    });
    expect(submits.map((s) => [s.destination_addr, s.esm_class, s.data_coding])).toEqual([
      ["37256000001", 0x40, 0],
      ["37256000001", 0x40, 0],
    ]);
    // The package parses validity_period: our absolute time reads as the default 2 days ahead.
    const validity = submits[0]?.validity_period as Date;
    expect(Math.abs(validity.getTime() - (Date.now() + 172_800_000))).toBeLessThan(60_000);
    const [submitted] = events.ofType(event.messageId, "MessageSubmitted");
    expect(submitted?.data.parts.map((p) => p.part)).toEqual([1, 2]);
    const receipts = events.ofType(event.messageId, "ReceiptReceived").map((r) => r.data);
    expect(receipts.every((r) => r.partStatus === "delivered")).toBe(true);
  });

  it("records an MO it delivers and answers it", async () => {
    const resp = await sendMo("deliver_sm", { source_addr: "37256789045", short_message: "HELP" });
    expect(resp.command_status).toBe(0);
    await waitFor(() => inbound.length === 1, { what: "the inbound event" });
    expect(inbound).toMatchObject([
      { carrierId: "npm", from: "+37256789045", to: "1234", text: "HELP" },
    ]);
  });

  it("maps a receipt it sends as data_sm (TLVs, the text in message_payload) and answers data_sm_resp", async () => {
    receiptsAs = "data_sm";
    const event = order("npm", "+37256000002", "By data_sm");
    await events.handOver(event);
    const [receipt] = await waitFor(() => {
      const receipts = events.ofType(event.messageId, "ReceiptReceived");
      return receipts.length === 1 ? receipts : undefined;
    });
    const [submitted] = events.ofType(event.messageId, "MessageSubmitted");
    expect(receipt?.data).toMatchObject({
      carrierMessageId: submitted?.data.parts[0]?.carrierMessageId,
      partStatus: "delivered",
    });
    const answer = await waitFor(() => receiptAnswers.find((r) => r.command === "data_sm_resp"));
    expect(answer.command_status).toBe(0);
  });

  it("records an MO it sends as data_sm (the text in message_payload) and answers it", async () => {
    const resp = await sendMo("data_sm", {
      source_addr: "37256789047",
      data_coding: 0,
      message_payload: Buffer.from("INFO"),
    });
    expect(resp).toMatchObject({ command: "data_sm_resp", command_status: 0 });
    const message = await waitFor(() => inbound.find((m) => m.from === "+37256789047"));
    expect(message).toMatchObject({ carrierId: "npm", to: "1234", text: "INFO" });
  });
});
