import { Kvm } from "@nats-io/kv";
import { CarrierHealth, eventIdFor, type MessageEvent, NATS_OPERATOR_USER } from "@smsgw/contracts";
import {
  BaseEnv,
  createLogger,
  loadConfig,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { CommandStatus } from "@smsgw/smpp";
import {
  createTestInfra,
  type SimulatorProcess,
  startSimulatorProcess,
  type TestInfra,
  waitFor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { carrierDurable } from "./handlers/carrier-consumers.ts";
import { eventsIn, handOver, ObservedEvents, order } from "./harness.testing.ts";
import { type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

const log = createLogger("connector-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let simulator: SimulatorProcess;
/** A second simulator playing one carrier, to be stopped and started again. */
let flaky: SimulatorProcess;
let connector: StartedCarrierConnector;
let messaging: Messaging;
let observer: RunningConsumer;
const seen: MessageEvent[] = [];

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  // The simulator (a fake carrier) runs as its own process, driven over its HTTP API.
  simulator = await startSimulatorProcess({
    SIM_CARRIERS: JSON.stringify([
      {
        id: "sim-a",
        port: 0,
        receiptDelayMs: 50,
        idBase: "hex",
        outcomes: [
          { prefix: "+3725550", stat: "UNDELIV", err: "001" },
          { prefix: "+3725559", commandStatus: CommandStatus.ESME_RINVDSTADR },
        ],
      },
      { id: "sim-b", port: 0, receiptDelayMs: 50, idBase: "decimal", outcomes: [] },
      { id: "sim-locked", port: 0, password: "right" },
      // Takes every bind, then turns the session away at once with unbind.
      { id: "sim-kicks", port: 0, unbindAfterBindMs: 0 },
      // Each session answers one submit, then only enquire_link: a wedged SMSC application.
      { id: "sim-wedge", port: 0, wedgeAfterSubmits: 1, outcomes: [] },
    ]),
  });
  flaky = await startFlaky(0);
  const carrier = (
    id: string,
    idBase: string,
    password = "secret",
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    host: "127.0.0.1",
    port: simulator.ports[id] ?? flaky.ports[id],
    password,
    idBase,
    ...extra,
  });
  connector = await startCarrierConnector(
    loadCarrierConnectorConfig({
      ...infra.env,
      HEALTH_PORT: "0",
      // This file checks the nak-and-wait of an unbound carrier; failover has its own tests.
      NO_BIND_FAILOVER_MS: "600000",
      CARRIERS: JSON.stringify([
        carrier("sim-a", "hex"),
        carrier("sim-b", "decimal"),
        carrier("sim-locked", "string", "wrong"),
        carrier("sim-flaky", "hex"),
        carrier("sim-kicks", "hex"),
        carrier("sim-wedge", "hex", "secret", {
          windowSize: 1,
          // The wedged submit's wait; also every answered bind and submit's, which on a busy
          // machine must not time out too (one failure and two binds are counted).
          responseTimeoutMs: 2_000,
          rebindAfterTimeouts: 1,
        }),
      ]),
    }),
    log,
  );
  messaging = await openMessaging(
    loadConfig(BaseEnv, infra.envOf(NATS_OPERATOR_USER)),
    "connector-test",
    log,
  );
  observer = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-observer",
    filterSubject: messaging.subjects.allEvents,
    schema: ObservedEvents,
    log,
    handle: async (batch) => {
      seen.push(...batch.flatMap((d) => eventsIn(d.value)));
      return undefined;
    },
  });
});

afterAll(async () => {
  await observer?.stop();
  await messaging?.close();
  await connector?.stop();
  await simulator?.stop();
  await flaky?.stop();
  await infra?.cleanup();
});

function startFlaky(port: number): Promise<SimulatorProcess> {
  return startSimulatorProcess({ SIM_CARRIERS: JSON.stringify([{ id: "sim-flaky", port }]) });
}

const eventsOf = (messageId: string) => seen.filter((e) => e.messageId === messageId);
const ofType = <T extends MessageEvent["type"]>(messageId: string, type: T) =>
  eventsOf(messageId).filter((e): e is Extract<MessageEvent, { type: T }> => e.type === type);
const submissionsTo = async (destination: string) =>
  (await simulator.submissions()).filter((s) => s.destination === destination);

/** The stream sequence sim-a's durable has acknowledged everything up to. */
async function connectorAckFloor(): Promise<number> {
  const info = await messaging.nats.jsm.consumers.info(
    messaging.subjects.stream,
    carrierDurable("sim-a"),
  );
  return info.ack_floor.stream_seq;
}

describe("submitting the orders routing hands over", () => {
  it("when a single GSM-7 message is routed, one part is sent, then MessageSubmitted and its receipt follow", async () => {
    const event = order("sim-a", "+37256000001", "Hello from the connector €");
    await handOver(messaging, [event]);
    await waitFor(() => ofType(event.messageId, "ReceiptReceived").length === 1, {
      what: "the receipt",
    });

    const [part, ...others] = await submissionsTo("37256000001");
    expect(others).toEqual([]);
    expect(part).toMatchObject({
      carrierId: "sim-a",
      source: "MyApp",
      dataCoding: 0,
      esmClass: 0,
      udh: null,
      text: "Hello from the connector €",
    });
    const types = eventsOf(event.messageId).map((e) => e.type);
    expect(types).toEqual(["MessageSubmitted", "ReceiptReceived"]);
    const [submitted] = ofType(event.messageId, "MessageSubmitted");
    expect(submitted?.eventId).toBe(eventIdFor(event.messageId, "submitted", 1));
    // Why routing chose the carrier: the order is not logged, so the trail says it here.
    expect(submitted?.data).toEqual({
      carrierId: "sim-a",
      attempt: 1,
      parts: [{ part: 1, carrierMessageId: part?.carrierMessageId }],
      reason: event.data.reason,
      // Where the order sits in the stream (ADR 0021: deleted with the message's content).
      orderSeq: expect.any(Number),
    });
    const [receipt] = ofType(event.messageId, "ReceiptReceived");
    expect(receipt?.accountId).toBe("acc_1");
    expect(receipt?.data).toEqual({
      carrierId: "sim-a",
      carrierMessageId: part?.carrierMessageId,
      part: 1,
      stat: "DELIVRD",
      errorCode: "000",
      partStatus: "delivered",
      publicErrorCode: null,
    });
  });

  it("when a 3-part UCS-2 text with an emoji is routed, its parts share a UDH reference and each gets a receipt", async () => {
    const text = `Tere 👋 ${"õäöü".repeat(40)}`;
    const event = order("sim-b", "+37256000002", text);
    expect(event.data.parts).toBe(3);
    await handOver(messaging, [event]);
    await waitFor(() => ofType(event.messageId, "ReceiptReceived").length === 3, {
      what: "three receipts",
    });

    const parts = await submissionsTo("37256000002");
    expect(parts).toHaveLength(3);
    const ref = parts[0]?.udh?.ref;
    expect(parts.map((p) => [p.dataCoding, p.esmClass, p.udh])).toEqual(
      [1, 2, 3].map((seq) => [8, 0x40, { ref, total: 3, seq }]),
    );
    expect(parts.map((p) => p.text).join("")).toBe(text);

    const [submitted] = ofType(event.messageId, "MessageSubmitted");
    expect(submitted?.data.parts).toEqual(
      parts.map((p, i) => ({ part: i + 1, carrierMessageId: p.carrierMessageId })),
    );
    const receipts = ofType(event.messageId, "ReceiptReceived").map((r) => r.data);
    expect(receipts.map((r) => r.part).sort()).toEqual([1, 2, 3]);
    expect(receipts.every((r) => r.partStatus === "delivered" && r.carrierId === "sim-b")).toBe(
      true,
    );
    const last = eventsOf(event.messageId).findLastIndex((e) => e.type === "MessageSubmitted");
    const firstReceipt = eventsOf(event.messageId).findIndex((e) => e.type === "ReceiptReceived");
    expect(last).toBeLessThan(firstReceipt);
  });

  it("when the carrier reports UNDELIV for the prefix, the part is undelivered with its error code", async () => {
    const event = order("sim-a", "+3725550123", "Will not arrive");
    await handOver(messaging, [event]);
    const [receipt] = await waitFor(() => {
      const receipts = ofType(event.messageId, "ReceiptReceived");
      return receipts.length === 1 ? receipts : undefined;
    });
    expect(receipt?.data).toMatchObject({
      stat: "UNDELIV",
      errorCode: "001",
      partStatus: "undelivered",
      publicErrorCode: "unknown_subscriber",
    });
  });

  it("when the carrier refuses the destination, SubmitFailed says so and is not retryable", async () => {
    const event = order("sim-a", "+37255591234", "Refused");
    await handOver(messaging, [event]);
    const [failed] = await waitFor(() => {
      const failures = ofType(event.messageId, "SubmitFailed");
      return failures.length === 1 ? failures : undefined;
    });
    expect(failed?.eventId).toBe(eventIdFor(event.messageId, "submit_failed", 1));
    expect(failed?.data).toMatchObject({
      carrierId: "sim-a",
      attempt: 1,
      retryable: false,
      commandStatus: CommandStatus.ESME_RINVDSTADR,
    });
    expect(ofType(event.messageId, "MessageSubmitted")).toEqual([]);
  });

  it("when a submit order is delivered again, it is not submitted twice", async () => {
    const event = order("sim-a", "+37256000003", "Only once");
    await handOver(messaging, [event]);
    await waitFor(() => ofType(event.messageId, "MessageSubmitted").length === 1);
    // Without Nats-Msg-Id: JetStream stores it again, as a redelivery would deliver it.
    const [seq = 0] = await handOver(messaging, [event], { dedupe: false });
    await waitFor(async () => (await connectorAckFloor()) >= seq, {
      what: "the copy to be handled",
    });
    await waitFor(() => ofType(event.messageId, "ReceiptReceived").length === 1);
    expect(await submissionsTo("37256000003")).toHaveLength(1);
    expect(ofType(event.messageId, "MessageSubmitted")).toHaveLength(1);
  });
});

describe("counts for routing's scores", () => {
  it("when orders are submitted and their receipts arrive, the carrier's health record counts them under the orders' score key", async () => {
    const delivered = order("sim-a", "+37256000011", "Counted", { scoreKey: "EE-count" });
    const undelivered = order("sim-a", "+3725550011", "Counted too", { scoreKey: "EE-count" });
    await handOver(messaging, [delivered, undelivered]);
    const kv = await new Kvm(messaging.nats.nc).open(messaging.subjects.carrierHealthBucket);
    const record = await waitFor(
      async () => {
        const entry = await kv.get(`sim-a.${connector.replica}`);
        const health = entry ? CarrierHealth.parse(entry.json()) : undefined;
        const counted = health?.counts?.filter((c) => c.key === "EE-count") ?? [];
        const receipts = counted.reduce((n, c) => n + c.delivered + c.undelivered, 0);
        return receipts === 2 ? health : undefined;
      },
      { what: "the counts in the health record" },
    );
    const sum = (field: "submits" | "delivered" | "undelivered" | "latencyCount") =>
      (record.counts ?? []).filter((c) => c.key === "EE-count").reduce((n, c) => n + c[field], 0);
    expect([sum("submits"), sum("delivered"), sum("undelivered"), sum("latencyCount")]).toEqual([
      2, 1, 1, 2,
    ]);
    expect(record.countSlotMs).toBe(60_000);
  });
});

describe("a carrier that refuses our credentials", () => {
  it("when the password is wrong, nothing is submitted and the bind is not retried in a loop", async () => {
    await waitFor(async () => ((await simulator.binds())["sim-locked"]?.refused ?? 0) >= 1);
    await waitFor(() => connector.boundCarriers().includes("sim-flaky"));
    expect(
      connector
        .boundCarriers()
        .filter((c) => c !== "sim-kicks")
        .sort(),
    ).toEqual(["sim-a", "sim-b", "sim-flaky", "sim-wedge"]);

    const event = order("sim-locked", "+37256000004", "Nobody hears this");
    await handOver(messaging, [event]);
    await waitFor(
      async () => {
        const info = await messaging.nats.jsm.consumers.info(
          messaging.subjects.stream,
          carrierDurable("sim-locked"),
        );
        return info.num_redelivered === 0 && info.num_ack_pending >= 1 ? true : undefined;
      },
      { what: "the order to be held back (nak with delay)" },
    );
    // A hot loop would have rebound hundreds of times by now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await simulator.binds())["sim-locked"]).toEqual({ accepted: 0, refused: 1 });
    expect(await submissionsTo("37256000004")).toEqual([]);
    expect(eventsOf(event.messageId)).toEqual([]);

    const sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
    try {
      const claims =
        await sql`select 1 from connector.submissions where message_id = ${event.messageId}`;
      expect(claims).toHaveLength(0);
    } finally {
      await sql.end();
    }
  });
});

describe("a carrier that goes away", () => {
  it("when the carrier's session closes, the connector binds again once it is back", async () => {
    await waitFor(() => connector.boundCarriers().includes("sim-flaky"));
    const port = flaky.ports["sim-flaky"] ?? 0;
    await flaky.stop();
    await waitFor(() => !connector.boundCarriers().includes("sim-flaky"), { what: "the drop" });
    flaky = await startFlaky(port);
    await waitFor(() => connector.boundCarriers().includes("sim-flaky"), {
      what: "the rebind",
      timeoutMs: 15_000,
    });
    expect((await flaky.binds())["sim-flaky"]).toEqual({ accepted: 1, refused: 0 });
  });
});

describe("a carrier that turns every session away", () => {
  it("when the carrier unbinds right after each bind, the connector binds again with a growing back-off, not every second", async () => {
    const accepted = async () => (await simulator.binds())["sim-kicks"]?.accepted ?? 0;
    await waitFor(async () => (await accepted()) >= 1, { what: "a first bind" });
    const before = await accepted();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    // Each session ended at once: 0.5-1 s, 1-2 s, 2-4 s, 4-8 s … between binds, so at most
    // three more in 6 s; a back-off that starts again after every bind would make 6 to 12.
    expect((await accepted()) - before).toBeLessThanOrEqual(3);
  });
});

describe("a carrier whose SMSC stops answering submits", () => {
  it("when a bind leaves a submit unanswered while it still answers enquire_link, the bind is dropped and bound again: that message ends outcome unknown, the ones queued behind it are submitted on the new bind, none twice", async () => {
    const events = [1, 2, 3].map((i) => order("sim-wedge", `+3725600020${i}`, `Wedged ${i}`));
    await handOver(messaging, events);
    const ended = (messageId: string) =>
      ofType(messageId, "MessageSubmitted").length + ofType(messageId, "SubmitFailed").length;
    await waitFor(() => events.every((e) => ended(e.messageId) >= 1), {
      what: "every message submitted or failed",
      timeoutMs: 15_000,
    });

    // One written to the wedged session and never answered; the one answered before it and
    // the one queued behind it (window 1) taken, the latter on the new bind.
    const failed = events.flatMap((e) => ofType(e.messageId, "SubmitFailed"));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ retryable: false, commandStatus: null });
    expect(failed[0]?.data.detail).toMatch(/^outcome unknown/);
    expect(events.flatMap((e) => ofType(e.messageId, "MessageSubmitted"))).toHaveLength(2);
    expect((await simulator.binds())["sim-wedge"]?.accepted).toBe(2);
    const taken = (await simulator.submissions()).filter((s) => s.carrierId === "sim-wedge");
    expect(taken).toHaveLength(2);
    expect(new Set(taken.map((s) => s.destination)).size).toBe(2);
  });
});
