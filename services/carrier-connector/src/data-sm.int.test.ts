import { type InboundMessageReceived, NATS_OPERATOR_USER } from "@smsgw/contracts";
import { createLogger, type RunningConsumer } from "@smsgw/service-kit";
import {
  createTestInfra,
  type SimulatorProcess,
  startSimulatorProcess,
  type TestInfra,
  waitFor,
} from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { observeEvents, order, recordInbound, simulatedCarrier } from "./harness.testing.ts";
import { type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

/**
 * Carriers that deliver receipts and MO as data_sm instead of deliver_sm (SMPP 3.4 4.7), and
 * carriers that send an intermediate delivery notification (esm_class 0x20, `ENROUTE`) before
 * every receipt, unasked: the SMSC simulator, as its own process, configured per carrier to do
 * so, on a transceiver bind and on a transmitter + receiver pair (where the receiver is the
 * only bind that can take them).
 */
const log = createLogger("connector-data-sm-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let simulator: SimulatorProcess;
let connector: StartedCarrierConnector;
let events: Awaited<ReturnType<typeof observeEvents>>;
let inboundConsumer: RunningConsumer;
const inbound: InboundMessageReceived[] = [];

const asDataSm = { receiptCommand: "data_sm", moCommand: "data_sm", receiptDelayMs: 20 };
// The default outcomes: +3725550… is UNDELIV err 001, anything else DELIVRD.
const SIM_CARRIERS = [
  { id: "dsm-trx", port: 0, ...asDataSm },
  { id: "dsm-tlv", port: 0, ...asDataSm, receiptDialect: "tlv" },
  { id: "dsm-text", port: 0, ...asDataSm, receiptDialect: "text" },
  { id: "dsm-pair", port: 0, ...asDataSm },
  { id: "notice-dsm", port: 0, intermediateNotifications: true, receiptDelayMs: 50 },
  {
    id: "notice-data",
    port: 0,
    intermediateNotifications: true,
    receiptDelayMs: 50,
    receiptCommand: "data_sm",
  },
];

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  simulator = await startSimulatorProcess({ SIM_CARRIERS: JSON.stringify(SIM_CARRIERS) });
  const carrier = (id: string, extra: Record<string, unknown> = {}) =>
    simulatedCarrier(simulator.ports, id, extra);
  connector = await startCarrierConnector(
    loadCarrierConnectorConfig({
      ...infra.env,
      HEALTH_PORT: "0",
      CARRIERS: JSON.stringify([
        carrier("dsm-trx"),
        carrier("dsm-tlv"),
        carrier("dsm-text"),
        carrier("dsm-pair", { bindMode: "pair" }),
        carrier("notice-dsm"),
        carrier("notice-data"),
      ]),
    }),
    log,
  );
  events = await observeEvents(infra.envOf(NATS_OPERATOR_USER), log);
  inboundConsumer = await recordInbound(events.messaging, inbound, log);
  await waitFor(() => SIM_CARRIERS.every(({ id }) => connector.boundCarriers().includes(id)), {
    what: "every carrier bound",
  });
});

afterAll(async () => {
  await inboundConsumer?.stop();
  await events?.close();
  await connector?.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

async function receiptOf(carrierId: string, to: string) {
  const event = order(carrierId, to, "Receipt by data_sm");
  await events.handOver(event);
  const [receipt] = await waitFor(() => {
    const receipts = events.ofType(event.messageId, "ReceiptReceived");
    return receipts.length === 1 ? receipts : undefined;
  });
  const [submitted] = events.ofType(event.messageId, "MessageSubmitted");
  return { receipt: receipt?.data, carrierMessageId: submitted?.data.parts[0]?.carrierMessageId };
}

describe("receipts sent as data_sm", () => {
  it.each([
    ["dsm-trx", "text and TLVs, on a transceiver"],
    ["dsm-tlv", "TLVs only, on a transceiver"],
    ["dsm-text", "the text only, in message_payload, on a transceiver"],
    ["dsm-pair", "text and TLVs, on the receiver of a transmitter + receiver pair"],
  ])(
    "when %s sends its receipt as a data_sm (%s), it finds its message: delivered",
    async (carrierId) => {
      const { receipt, carrierMessageId } = await receiptOf(carrierId, "+37256000001");
      expect(receipt).toMatchObject({
        carrierId,
        carrierMessageId,
        part: 1,
        partStatus: "delivered",
      });
    },
  );

  it("when a data_sm receipt says UNDELIV, the part is undelivered with the carrier's error", async () => {
    const { receipt } = await receiptOf("dsm-pair", "+37255500001");
    expect(receipt).toMatchObject({ stat: "UNDELIV", errorCode: "001", partStatus: "undelivered" });
  });
});

describe("MO sent as data_sm", () => {
  it.each([
    ["dsm-trx", "a transceiver"],
    ["dsm-pair", "the receiver of a pair"],
  ])(
    "when %s delivers an MO as a data_sm on %s, it is recorded and answered OK",
    async (carrierId) => {
      const text = `HELP ${carrierId} ✓`;
      const status = await simulator.sendMo(carrierId, { from: "+37256789045", to: "1234", text });
      expect(status).toBe(0);
      const message = await waitFor(() => inbound.find((m) => m.carrierId === carrierId));
      expect(message).toMatchObject({ from: "+37256789045", to: "1234", text, dataCoding: 8 });
    },
  );

  it("when a long MO comes as data_sm parts with a UDH, each part is recorded with its place", async () => {
    const status = await simulator.sendMo("dsm-trx", {
      from: "+37256789046",
      to: "1234",
      text: "y".repeat(200),
      concat: "udh8",
      ref: 77,
    });
    expect(status).toBe(0);
    const parts = await waitFor(() => {
      const found = inbound.filter((m) => m.from === "+37256789046");
      return found.length === 2 ? found : undefined;
    });
    expect(parts.map((m) => m.part).sort((a, b) => (a?.seq ?? 0) - (b?.seq ?? 0))).toEqual([
      { ref: 77, total: 2, seq: 1 },
      { ref: 77, total: 2, seq: 2 },
    ]);
    expect(parts.map((m) => m.text).join("")).toBe("y".repeat(200));
  });
});

describe("intermediate delivery notifications", () => {
  it.each([
    ["notice-dsm", "as deliver_sm"],
    ["notice-data", "as data_sm"],
  ])(
    "when %s sends ENROUTE notices before its receipts (%s), the message is delivered by its receipt alone and no notice becomes an MO",
    async (carrierId) => {
      const messages = ["+37256000001", "+37255500001"].map((to) =>
        order(carrierId, to, "With a notice first"),
      );
      for (const message of messages) await events.handOver(message);
      const [delivered, undelivered] = await Promise.all(
        messages.map((message) =>
          waitFor(() => {
            const receipts = events.ofType(message.messageId, "ReceiptReceived");
            return receipts.length > 0 ? receipts : undefined;
          }),
        ),
      );
      expect(delivered?.map((r) => r.data)).toEqual([
        expect.objectContaining({ stat: "DELIVRD", partStatus: "delivered" }),
      ]);
      expect(undelivered?.map((r) => r.data)).toEqual([
        expect.objectContaining({ stat: "UNDELIV", partStatus: "undelivered" }),
      ]);
      // An MO sent after them is recorded after any MO a notice could have become.
      const text = `HELP after the notices ${carrierId}`;
      await simulator.sendMo(carrierId, { from: "+37256789045", to: "1234", text });
      await waitFor(() => inbound.find((m) => m.text === text));
      expect(inbound.filter((m) => m.carrierId === carrierId).map((m) => m.text)).toEqual([text]);
    },
  );
});
