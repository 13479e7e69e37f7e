import { type ChildProcess, spawn } from "node:child_process";
import { Kvm } from "@nats-io/kv";
import { NATS_OPERATOR_USER } from "@smsgw/contracts";
import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type SimulatorProcess,
  startSimulatorProcess,
  type TestInfra,
  waitFor,
} from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { observeEvents, order } from "./harness.testing.ts";
import { leaseBucket, type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

/**
 * Connector replicas on one database and prefix, one simulated carrier with four binds (ADR
 * 0007). r1 and r3 run in this process; r2 is a child process, so it can be killed for real.
 */
const log = createLogger("connector-replicas-test", process.env.TEST_LOG_LEVEL ?? "silent");
const BINDS = 4;
// A ttl of a few seconds: a replica starved for a second by a busy machine (another test file
// beside this one) still renews in time, and is not taken for dead while it is bound.
const LEASE = { LEASE_RENEW_MS: "500", LEASE_TTL_MS: "3000" };
let infra: TestInfra;
let simulator: SimulatorProcess;
const inProcess = new Map<string, StartedCarrierConnector>();
let child: ChildProcess | undefined;
let events: Awaited<ReturnType<typeof observeEvents>>;
let env: Record<string, string>;
/** The most binds the simulator ever had open at once (sampled). */
let mostOpen = 0;
let sampler: NodeJS.Timeout | undefined;

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  simulator = await startSimulatorProcess({
    SIM_CARRIERS: JSON.stringify([{ id: "shared", port: 0, receiptDelayMs: 20, outcomes: [] }]),
  });
  env = {
    ...infra.env,
    ...LEASE,
    HEALTH_PORT: "0",
    HEALTH_PUBLISH_MS: "200",
    // A message a dead replica held comes back soon; its claim is decided as soon as the
    // replica's heartbeat lapses (the 10-minute window is for claims of live replicas).
    ROUTED_ACK_WAIT_MS: "2000",
    RECONCILE_AFTER_MS: "600000",
    NO_BIND_FAILOVER_MS: "60000",
    RECEIPT_MAPPING_WAIT_MS: "2000",
    CARRIERS: JSON.stringify([
      {
        id: "shared",
        port: simulator.ports.shared,
        password: "secret",
        binds: BINDS,
        windowSize: 5,
        responseTimeoutMs: 2_000,
      },
    ]),
  };
  events = await observeEvents(infra.envOf(NATS_OPERATOR_USER), log);
  sampler = setInterval(() => {
    void simulator.openBinds().then(
      (open) => {
        mostOpen = Math.max(mostOpen, open.shared ?? 0);
      },
      () => undefined,
    );
  }, 20);
});

afterAll(async () => {
  clearInterval(sampler);
  child?.kill("SIGKILL");
  const nc = events?.messaging.nats.nc;
  if (nc) {
    for (const bucket of [
      events.messaging.subjects.carrierHealthBucket,
      leaseBucket(events.messaging.subjects),
    ]) {
      await new Kvm(nc)
        .open(bucket)
        .then((kv) => kv.destroy())
        .catch(() => false);
    }
  }
  await events?.close();
  for (const replica of inProcess.values()) await replica.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

async function startInProcess(replica: string): Promise<void> {
  inProcess.set(
    replica,
    await startCarrierConnector(loadCarrierConnectorConfig({ ...env, REPLICA_ID: replica }), log),
  );
}

function startChild(replica: string): ChildProcess {
  return spawn(process.execPath, ["src/main.ts"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { ...process.env, ...env, REPLICA_ID: replica },
    stdio: "ignore",
  });
}

/** Slots per replica, as the lease table says (fresh or not). */
async function holdings(): Promise<Record<string, number>> {
  const kv = await new Kvm(events.messaging.nats.nc).open(leaseBucket(events.messaging.subjects));
  const counts: Record<string, number> = {};
  for (let slot = 0; slot < BINDS; slot++) {
    const entry = await kv.get(`slot.shared.${slot}`);
    const holder = entry?.operation === "PUT" ? entry.json<{ replica: string }>().replica : "";
    if (holder) counts[holder] = (counts[holder] ?? 0) + 1;
  }
  return counts;
}

const sorted = (counts: Record<string, number>) => Object.values(counts).sort();

/** Final for the connector: submitted with its receipt, or failed. */
const isFinal = (messageId: string) =>
  events.ofType(messageId, "SubmitFailed").length > 0 ||
  events.ofType(messageId, "ReceiptReceived").length > 0;

const destination = (block: number, i: number) => `+3725${block}${String(i).padStart(5, "0")}`;

describe("connector replicas", () => {
  it("when a second replica joins, the binds are spread two and two and every receipt finds its message", async () => {
    await startInProcess("r1");
    await waitFor(async () => (await holdings()).r1 === BINDS, { what: "r1 to hold every slot" });
    child = startChild("r2");
    await waitFor(
      async () => {
        const h = await holdings();
        return h.r1 === 2 && h.r2 === 2 && (await simulator.openBinds()).shared === BINDS;
      },
      { what: "two slots each", timeoutMs: 20_000 },
    );
    expect(inProcess.get("r1")?.slots().shared).toHaveLength(2);

    const list = Array.from({ length: 40 }, (_, i) => order("shared", destination(1, i), `A${i}`));
    await Promise.all(list.map((e) => events.handOver(e)));
    await waitFor(
      () => list.every((e) => events.ofType(e.messageId, "ReceiptReceived").length === 1),
      { what: "40 receipts", timeoutMs: 20_000 },
    );
    expect(await simulator.submissions()).toHaveLength(40);
    expect(mostOpen).toBeLessThanOrEqual(BINDS);
  }, 40_000);

  it("when a third replica joins, holdings settle within one of each other, never above the binds", async () => {
    await startInProcess("r3");
    await waitFor(
      async () => {
        const h = await holdings();
        return (
          sorted(h).join() === "1,1,2" &&
          Object.keys(h).length === 3 &&
          (await simulator.openBinds()).shared === BINDS
        );
      },
      { what: "2, 1, 1", timeoutMs: 20_000 },
    );
    expect(mostOpen).toBeLessThanOrEqual(BINDS);
  }, 30_000);

  it("when a replica is killed mid-traffic, the others take its slots in bounded time and every message ends final, none submitted twice", async () => {
    // A slow carrier: the replica dies with submits in its windows, unanswered.
    await simulator.configure("shared", {
      receiptDelayMs: 20,
      responseDelayMs: 300,
      outcomes: [],
    });
    const list = Array.from({ length: 60 }, (_, i) => order("shared", destination(2, i), `B${i}`));
    const sending = (async () => {
      for (let i = 0; i < list.length; i += 5) {
        await Promise.all(list.slice(i, i + 5).map((e) => events.handOver(e)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const killedAt = Date.now();
    child?.kill("SIGKILL");
    await waitFor(
      async () => {
        const h = await holdings();
        return (
          (h.r1 ?? 0) + (h.r3 ?? 0) === BINDS && (await simulator.openBinds()).shared === BINDS
        );
      },
      { what: "r1 and r3 to hold every slot", timeoutMs: 15_000 },
    );
    // ttl 3 s, renewal 0.5 s: stale after about 3.5 s, taken on the next round (0.5 s), then
    // bound; the rest is room for a busy machine.
    expect(Date.now() - killedAt).toBeLessThan(8_000);
    expect(sorted(await holdings()).join()).toBe("2,2");
    await sending;

    await waitFor(() => list.every((e) => isFinal(e.messageId)), {
      what: "every message final",
      timeoutMs: 30_000,
    });
    const perDestination = new Map<string, number>();
    for (const s of await simulator.submissions()) {
      perDestination.set(s.destination, (perDestination.get(s.destination) ?? 0) + 1);
    }
    expect(Math.max(...perDestination.values())).toBe(1);
    const failed = list.filter((e) => events.ofType(e.messageId, "SubmitFailed").length > 0);
    // A message r2 held when it died is never resubmitted: "outcome unknown" if it was claimed.
    for (const e of failed) {
      expect(events.ofType(e.messageId, "SubmitFailed")[0]?.data).toMatchObject({
        retryable: false,
        detail: expect.stringMatching(/outcome unknown/),
      });
    }
    const submitted = list.filter((e) => events.ofType(e.messageId, "MessageSubmitted").length > 0);
    for (const e of submitted) {
      expect(events.ofType(e.messageId, "ReceiptReceived")).toHaveLength(1);
    }
    log.info({ failed: failed.length, submitted: submitted.length }, "after the kill");
    expect(mostOpen).toBeLessThanOrEqual(BINDS);
  }, 60_000);

  it("when another writer takes a slot a replica holds, that replica closes the bind at once; the slot comes back once the writer goes stale", async () => {
    const r1 = inProcess.get("r1");
    const slot = r1?.slots().shared?.[0];
    if (slot === undefined) throw new Error("r1 holds no slot");
    const kv = await new Kvm(events.messaging.nats.nc).open(leaseBucket(events.messaging.subjects));
    await kv.put("replica.thief", JSON.stringify({ replica: "thief", bound: false }));
    await kv.put(`slot.shared.${slot}`, JSON.stringify({ replica: "thief", bound: false }));
    await waitFor(() => !r1?.slots().shared?.includes(slot), { what: "r1 to let the slot go" });
    // The thief never renews: stale after the ttl, and the live replicas share its slot again.
    await waitFor(
      async () => {
        const h = await holdings();
        return sorted(h).join() === "2,2" && (await simulator.openBinds()).shared === BINDS;
      },
      { what: "the slot back", timeoutMs: 15_000 },
    );
    expect(mostOpen).toBeLessThanOrEqual(BINDS);
  }, 30_000);
});
