import { Kvm } from "@nats-io/kv";
import {
  CarrierHealth,
  eventIdFor,
  type InboundMessageReceived,
  NATS_OPERATOR_USER,
} from "@smsgw/contracts";
import { createLogger, type RunningConsumer } from "@smsgw/service-kit";
import { decodeReceivedText } from "@smsgw/sms-text";
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

const log = createLogger("connector-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let simulator: SimulatorProcess;
let connector: StartedCarrierConnector;
let events: Awaited<ReturnType<typeof observeEvents>>;
let inboundConsumer: RunningConsumer;
const inbound: InboundMessageReceived[] = [];

const SIM_CARRIERS = [
  { id: "thr", port: 0, tps: 20, receiptDelayMs: 20, outcomes: [] },
  { id: "capped", port: 0, receiptDelayMs: 20, outcomes: [] },
  { id: "drop", port: 0, receiptDelayMs: 20, outcomes: [] },
  { id: "dial-text", port: 0, receiptDialect: "text", outcomes: [] },
  { id: "dial-tlv", port: 0, receiptDialect: "tlv", outcomes: [] },
  { id: "dial-dec", port: 0, receiptIdBase: "decimal", outcomes: [] },
  { id: "early", port: 0, receiptDelayMs: 0, outcomes: [] },
  // Answers each submit 150 ms late but sends its receipt at once: the receipt comes first.
  { id: "overtake", port: 0, receiptDelayMs: 0, responseDelayMs: 150, outcomes: [] },
  { id: "mo", port: 0, outcomes: [] },
  { id: "pair", port: 0, outcomes: [] },
  { id: "sar", port: 0, outcomes: [] },
  { id: "payload", port: 0, outcomes: [] },
  { id: "silent", port: 0, outcomes: [{ prefix: "", receipts: [{ stat: "none", weight: 1 }] }] },
  // Answers OK with an empty message_id: no receipt can ever be matched to its messages.
  {
    id: "noid",
    port: 0,
    emptyMessageId: true,
    outcomes: [{ prefix: "", receipts: [{ stat: "none", weight: 1 }] }],
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
      NO_BIND_FAILOVER_MS: "500",
      HEALTH_PUBLISH_MS: "200",
      REPLICA_ID: "r1",
      EXPIRY_SWEEP_MS: "200",
      EXPIRY_GRACE_MS: "0",
      CARRIERS: JSON.stringify([
        carrier("thr", { binds: 2 }),
        carrier("capped", { maxTps: 20 }),
        carrier("drop", { binds: 2, windowSize: 5 }),
        carrier("dial-text"),
        carrier("dial-tlv"),
        carrier("dial-dec", { receiptIdBase: "decimal" }),
        carrier("early"),
        carrier("overtake"),
        carrier("mo"),
        carrier("pair", { bindMode: "pair", simulated: true }),
        carrier("sar", { concat: "sar" }),
        carrier("payload", { concat: "payload" }),
        carrier("silent"),
        carrier("noid"),
        // Nothing listens on port 1: a carrier that is down. (A port freed by a server of the
        // test's own could be taken meanwhile by another test file's listener.)
        { id: "gone", port: 1, password: "secret" },
      ]),
    }),
    log,
  );
  events = await observeEvents(infra.envOf(NATS_OPERATOR_USER), log);
  inboundConsumer = await recordInbound(events.messaging, inbound, log);
});

afterAll(async () => {
  await inboundConsumer?.stop();
  const nc = events?.messaging.nats.nc;
  if (nc) {
    await new Kvm(nc)
      .open(events.messaging.subjects.carrierHealthBucket)
      .then((kv) => kv.destroy())
      .catch(() => false);
  }
  await events?.close();
  await connector?.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

const publishAll = (list: ReturnType<typeof order>[]) =>
  Promise.all(list.map((e) => events.handOver(e)));
const submissionsOf = async (carrierId: string) =>
  (await simulator.submissions()).filter((s) => s.carrierId === carrierId);
/** Accepted submits per wall-clock second. */
const perSecond = async (carrierId: string) => {
  const counts = new Map<number, number>();
  for (const s of await submissionsOf(carrierId)) {
    const second = Math.floor(Date.parse(s.receivedAt) / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts.values()];
};
const destination = (i: number, block: number) => `+3725${block}${String(i).padStart(5, "0")}`;

async function health(carrierId: string): Promise<CarrierHealth | undefined> {
  const kv = await new Kvm(events.messaging.nats.nc).open(
    events.messaging.subjects.carrierHealthBucket,
  );
  const entry = await kv.get(`${carrierId}.r1`);
  return entry?.string() ? CarrierHealth.parse(JSON.parse(entry.string())) : undefined;
}

describe("throttling", () => {
  it("when the carrier answers ESME_RTHROTTLED past 20/s, every message is still submitted once and the rate holds", async () => {
    const list = Array.from({ length: 60 }, (_, i) => order("thr", destination(i, 1), `T${i}`));
    await publishAll(list);
    await waitFor(async () => (await health("thr"))?.throttled === true, {
      what: "health to say throttled",
    });
    await waitFor(
      () => list.every((e) => events.ofType(e.messageId, "MessageSubmitted").length === 1),
      {
        what: "every message submitted",
        timeoutMs: 30_000,
      },
    );
    expect(list.flatMap((e) => events.ofType(e.messageId, "SubmitFailed"))).toEqual([]);
    const destinations = (await submissionsOf("thr")).map((s) => s.destination);
    expect(new Set(destinations).size).toBe(60);
    expect(destinations).toHaveLength(60);
    // The simulator admits 20 per wall-clock second; a submit admitted at x.999 may be
    // recorded at x+1.000, hence the slack of 2.
    expect(Math.max(...(await perSecond("thr")))).toBeLessThanOrEqual(22);
  }, 40_000);

  it("when the carrier has maxTps 20, the connector itself never sends faster", async () => {
    const list = Array.from({ length: 40 }, (_, i) => order("capped", destination(i, 2), `C${i}`));
    await publishAll(list);
    await waitFor(async () => (await submissionsOf("capped")).length === 40, {
      what: "40 submits",
      timeoutMs: 20_000,
    });
    const times = (await submissionsOf("capped"))
      .map((s) => Date.parse(s.receivedAt))
      .sort((x, y) => x - y);
    // The simulator stamps a submit when it reads it: one stalled for a moment (a busy
    // machine) stamps what the connector sent meanwhile all at once, so each span may look up
    // to STALL_MS shorter than the connector took.
    const STALL_MS = 500;
    // 40 at 20/s with a burst of 2: 1.9 s from the first to the last.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_900 - STALL_MS);
    // Between any two submits, no more than the burst of 2 and 20 a second of that span.
    let tooMany: string | undefined;
    times.forEach((first, i) => {
      times.slice(i + 1).forEach((last, k) => {
        const count = k + 2;
        const span = last - first;
        if (count > 2 + (20 * (span + STALL_MS)) / 1_000) {
          tooMany ??= `${count} submits within ${span} ms`;
        }
      });
    });
    expect(tooMany).toBeUndefined();
  }, 30_000);
});

describe("bind drop mid-traffic", () => {
  it("when the carrier drops both binds, every message ends final and none acknowledged is sent twice", async () => {
    const list = Array.from({ length: 100 }, (_, i) => order("drop", destination(i, 3), `D${i}`));
    await publishAll(list);
    await waitFor(async () => (await submissionsOf("drop")).length >= 20, {
      what: "traffic to start",
    });
    expect(await simulator.dropBinds("drop")).toBe(2);
    const outcome = (id: string) =>
      events.ofType(id, "MessageSubmitted").length + events.ofType(id, "SubmitFailed").length;
    await waitFor(() => list.every((e) => outcome(e.messageId) === 1), {
      what: "an outcome for every message",
      timeoutMs: 30_000,
    });
    const sent = (await submissionsOf("drop")).map((s) => s.destination);
    expect(new Set(sent).size).toBe(sent.length);
    const submitted = list.filter(
      (e) => events.ofType(e.messageId, "MessageSubmitted").length === 1,
    );
    const failed = list.flatMap((e) => events.ofType(e.messageId, "SubmitFailed"));
    // Only submits in flight at the drop can have an unknown outcome: at most two windows.
    expect(failed.length).toBeLessThanOrEqual(10);
    for (const f of failed) expect(f.data).toMatchObject({ retryable: false, commandStatus: null });
    await waitFor(
      () => submitted.every((e) => events.ofType(e.messageId, "ReceiptReceived").length === 1),
      { what: "a receipt for every submitted message", timeoutMs: 30_000 },
    );
    await waitFor(() => connector.boundCarriers().includes("drop"), { what: "the rebind" });
  }, 70_000);
});

describe("receipts", () => {
  it.each([["dial-text"], ["dial-tlv"], ["dial-dec"]])(
    "when %s writes its receipts its way, the receipt still finds its message",
    async (carrierId) => {
      const event = order(carrierId, destination(1, 4), "Dialect");
      await events.handOver(event);
      const [receipt] = await waitFor(() => {
        const receipts = events.ofType(event.messageId, "ReceiptReceived");
        return receipts.length === 1 ? receipts : undefined;
      });
      expect(receipt?.data).toMatchObject({ carrierId, part: 1, partStatus: "delivered" });
    },
  );

  it("when receipts come right behind submit_sm_resp (before the id map is stored), none is lost", async () => {
    const list = Array.from({ length: 20 }, (_, i) => order("early", destination(i, 5), `E${i}`));
    await publishAll(list);
    await waitFor(
      () => list.every((e) => events.ofType(e.messageId, "ReceiptReceived").length === 1),
      { what: "20 receipts" },
    );
  });

  it("when the receipt arrives before the submit_sm_resp itself, it waits for its id and finds its message", async () => {
    const list = Array.from({ length: 10 }, (_, i) =>
      order("overtake", destination(200 + i, 0), "O"),
    );
    await publishAll(list);
    await waitFor(
      () => list.every((e) => events.ofType(e.messageId, "ReceiptReceived").length === 1),
      { what: "10 receipts" },
    );
    for (const e of list) {
      const [submitted] = events.ofType(e.messageId, "MessageSubmitted");
      const [receipt] = events.ofType(e.messageId, "ReceiptReceived");
      expect(receipt?.data.carrierMessageId).toBe(submitted?.data.parts[0]?.carrierMessageId);
    }
  });

  it("when a 3-part UCS-2 text has an emoji on a part boundary, the pair is never split", async () => {
    const text = `${"ж".repeat(66)}😀${"ы".repeat(70)}`;
    const event = order("mo", destination(1, 6), text);
    expect(event.data.parts).toBe(3);
    await events.handOver(event);
    await waitFor(() => events.ofType(event.messageId, "ReceiptReceived").length === 3, {
      what: "three receipts",
    });
    const parts = (await submissionsOf("mo")).filter(
      (s) => s.destination === destination(1, 6).slice(1),
    );
    expect(parts.map((p) => [p.dataCoding, p.udh?.total, p.udh?.seq])).toEqual([
      [8, 3, 1],
      [8, 3, 2],
      [8, 3, 3],
    ]);
    for (const p of parts) expect(p.text.isWellFormed()).toBe(true);
    expect(parts.map((p) => p.text).join("")).toBe(text);
  });
});

describe("concatenation per carrier", () => {
  it("when the carrier takes SAR TLVs, the parts carry them (no UDH) and each gets its receipt", async () => {
    const text = "s".repeat(200);
    const event = order("sar", destination(1, 9), text);
    await events.handOver(event);
    await waitFor(() => events.ofType(event.messageId, "ReceiptReceived").length === 2);
    const parts = await submissionsOf("sar");
    expect(parts.map((p) => [p.esmClass, p.udh?.total, p.udh?.seq])).toEqual([
      [0, 2, 1],
      [0, 2, 2],
    ]);
    expect(parts.map((p) => p.text).join("")).toBe(text);
  });

  it("when the carrier takes message_payload, one submit carries the whole text and its receipt every part", async () => {
    const text = "p".repeat(200);
    const event = order("payload", destination(2, 9), text);
    await events.handOver(event);
    // One receipt for the one submit stands for both counted parts.
    await waitFor(() => events.ofType(event.messageId, "ReceiptReceived").length === 2);
    expect((await submissionsOf("payload")).map((p) => [p.esmClass, p.text])).toEqual([[0, text]]);
    const [submitted] = events.ofType(event.messageId, "MessageSubmitted");
    const id = (await submissionsOf("payload"))[0]?.carrierMessageId;
    expect(submitted?.data.parts).toEqual([
      { part: 1, carrierMessageId: id },
      { part: 2, carrierMessageId: id },
    ]);
    const parts = events.ofType(event.messageId, "ReceiptReceived").map((r) => r.data.part);
    expect(parts.sort()).toEqual([1, 2]);
  });
});

describe("validity", () => {
  /** Hands over an order to `carrierId` valid for 800 ms. */
  async function shortLived(carrierId: string, to: string, text: string) {
    const validUntil = new Date(Date.now() + 800).toISOString();
    const event = order(carrierId, to, text, { validUntil });
    await events.handOver(event);
    return { event, validUntil };
  }
  /** The one event of that type, once there is exactly one. */
  const theOne = <T extends Parameters<typeof events.ofType>[1]>(messageId: string, type: T) =>
    waitFor(
      () => {
        const list = events.ofType(messageId, type);
        return list.length === 1 ? list[0] : undefined;
      },
      { what: type },
    );

  it("when no final receipt comes by validUntil, the message ends expired (one event)", async () => {
    const { event, validUntil } = await shortLived("silent", destination(1, 7), "Nobody answers");
    const expired = await theOne(event.messageId, "ValidityExpired");
    expect(expired.eventId).toBe(eventIdFor(event.messageId, "expired"));
    expect(expired.data).toEqual({ carrierId: "silent", validUntil });
  });

  it("when the carrier accepts a part with an empty message_id, the message is submitted and still ends expired (never left sent forever)", async () => {
    const { event } = await shortLived("noid", destination(2, 7), "No id given");
    const submitted = await theOne(event.messageId, "MessageSubmitted");
    expect(submitted.data.parts).toEqual([{ part: 1, carrierMessageId: "" }]);
    await theOne(event.messageId, "ValidityExpired");
  });

  it("when the final receipt came in time, the message does not expire", async () => {
    // Room for the submit and its receipt on a busy machine: they must come before validUntil.
    const validUntil = Date.now() + 3_000;
    const event = order("early", destination(99, 7), "In time", {
      validUntil: new Date(validUntil).toISOString(),
    });
    await events.handOver(event);
    await waitFor(() => events.ofType(event.messageId, "ReceiptReceived").length === 1);
    // Past validUntil by several expiry sweeps (200 ms): an expiry would have been published.
    await new Promise((resolve) => setTimeout(resolve, validUntil + 1_500 - Date.now()));
    expect(events.ofType(event.messageId, "ValidityExpired")).toEqual([]);
  });
});

describe("inbound (MO)", () => {
  it("when the carrier delivers an MO, it is recorded as InboundMessageReceived before the carrier is answered", async () => {
    const status = await simulator.sendMo("mo", {
      from: "+37256789045",
      to: "1234",
      text: "STOP ✓",
    });
    expect(status).toBe(0);
    const [message] = await waitFor(() => (inbound.length === 1 ? inbound : undefined));
    expect(message).toMatchObject({
      type: "InboundMessageReceived",
      carrierId: "mo",
      from: "+37256789045",
      to: "1234",
      text: "STOP ✓",
      dataCoding: 8,
    });
    expect(message?.inboundId).toMatch(/^mo_[0-9A-Z]{26}$/);
  });

  it.each([
    {
      what: "a GSM-7 escape pair",
      text: "Pay 5€ now",
      concat: "udh8",
      splitAt: [6],
      alone: "Pay 5 ",
    },
    {
      what: "a UCS-2 surrogate pair",
      text: "ok 😀 thanks",
      concat: "sar",
      splitAt: [8],
      alone: "ok \uFFFD",
    },
  ] as const)(
    "when the carrier cuts $what between two parts, each part's event carries its octets, which joined read whole",
    async ({ text, concat, splitAt, alone }) => {
      const from = `+3725678${String(splitAt[0]).padStart(4, "0")}`;
      const status = await simulator.sendMo("mo", {
        from,
        to: "1234",
        text,
        concat,
        ref: 9,
        splitAt: [...splitAt],
      });
      expect(status).toBe(0);
      const parts = await waitFor(() => {
        const mine = inbound.filter((m) => m.from === from);
        return mine.length === 2
          ? mine.sort((a, b) => (a.part?.seq ?? 0) - (b.part?.seq ?? 0))
          : undefined;
      });
      // Each part's text, decoded alone, cannot hold the character cut in two.
      expect(parts[0]).toMatchObject({ text: alone, part: { ref: 9, total: 2, seq: 1 } });
      const octets = Buffer.concat(parts.map((p) => Buffer.from(p.octets ?? "", "base64")));
      expect(decodeReceivedText(octets, parts[0]?.dataCoding ?? -1)).toBe(text);
    },
  );
});

describe("health and failover", () => {
  it("publishes each carrier's binds per replica, and a dead carrier's messages fail over", async () => {
    await waitFor(async () => (await health("pair"))?.bindsUp === 2, { what: "pair health" });
    expect(await health("pair")).toMatchObject({
      carrierId: "pair",
      replica: "r1",
      bindsWanted: 2,
      simulated: true,
    });
    expect(await health("gone")).toMatchObject({ bindsUp: 0, bindsWanted: 1, simulated: false });

    const event = order("gone", destination(1, 8), "Elsewhere please");
    await events.handOver(event);
    const [failed] = await waitFor(() => {
      const list = events.ofType(event.messageId, "SubmitFailed");
      return list.length === 1 ? list : undefined;
    });
    expect(failed?.data).toMatchObject({ carrierId: "gone", retryable: true, commandStatus: null });
    expect(failed?.data.detail).toMatch(/no bind/);
  });
});

/** A sample's value in Prometheus text, 0 when the series is not there yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf("}"));
    if (wanted.every((pair) => labelText.split(",").includes(pair))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return 0;
}

describe("metrics", () => {
  it("when traffic flows, /metrics shows binds, submits, errors, throttle pauses, receipts and their latency per carrier", async () => {
    const scrape = async () =>
      (await fetch(`http://127.0.0.1:${connector.healthPort}/metrics`)).text();
    const before = await scrape();
    const list = Array.from({ length: 5 }, (_, i) => order("early", destination(100 + i, 0), "M"));
    await publishAll(list);
    await waitFor(() => list.every((e) => events.ofType(e.messageId, "ReceiptReceived").length));
    const after = await waitFor(async () => {
      const text = await scrape();
      const count = sample(text, "smsgw_carrier_receipt_latency_seconds_count", {
        carrier: "early",
      });
      return count >= 5 ? text : undefined;
    });
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(moved("smsgw_carrier_submits_total", { carrier: "early", result: "ok" })).toBe(5);
    expect(moved("smsgw_carrier_receipts_total", { carrier: "early", stat: "DELIVRD" })).toBe(5);
    expect(moved("smsgw_carrier_receipt_latency_seconds_count", { carrier: "early" })).toBe(5);
    expect(moved("smsgw_carrier_submit_duration_seconds_count", { carrier: "early" })).toBe(5);
    expect(sample(after, "smsgw_carrier_window_in_flight", { carrier: "early" })).toBe(0);
    expect(sample(after, "smsgw_carrier_bind_up", { carrier: "pair" })).toBe(2);
    expect(sample(after, "smsgw_carrier_bind_slots_held", { carrier: "drop" })).toBe(2);
    expect(sample(after, "smsgw_carrier_bind_up", { carrier: "gone" })).toBe(0);
    // The throttling tests above: the carrier's refusals and our pauses.
    expect(
      sample(after, "smsgw_carrier_throttle_pauses_total", { carrier: "thr" }),
    ).toBeGreaterThan(0);
    expect(
      sample(after, "smsgw_carrier_submits_total", { carrier: "thr", result: "throttled" }),
    ).toBeGreaterThan(0);
    expect(
      sample(after, "smsgw_carrier_submit_errors_total", { carrier: "thr", class: "retry" }),
    ).toBeGreaterThan(0);
    // Low cardinality: no message id or phone number anywhere in the labels. Only the label
    // sets are searched: a sample's value (0.3725123456 seconds) may hold any digits.
    const labelSets = after.match(/\{[^}]*\}/g) ?? [];
    expect(labelSets.length).toBeGreaterThan(0);
    expect(labelSets.join("\n")).not.toMatch(/msg_|3725\d{6}/);
  });
});
