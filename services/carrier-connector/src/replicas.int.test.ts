import { Kvm } from "@nats-io/kv";
import { createLogger } from "@smsgw/service-kit";
import {
  loadSmscSimulatorConfig,
  type StartedSmscSimulator,
  startSmscSimulator,
} from "@smsgw/smsc-simulator";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { observeEvents, routed } from "./harness.testing.ts";
import { type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

/** Two connector replicas on one database and prefix, both bound to the same carrier. */
const log = createLogger("connector-replicas-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let simulator: StartedSmscSimulator;
const replicas: StartedCarrierConnector[] = [];
let events: Awaited<ReturnType<typeof observeEvents>>;

beforeAll(async () => {
  infra = await createTestInfra();
  simulator = await startSmscSimulator(
    loadSmscSimulatorConfig({
      HEALTH_PORT: "0",
      SIM_CARRIERS: JSON.stringify([{ id: "shared", port: 0, receiptDelayMs: 10, outcomes: [] }]),
    }),
    log,
  );
  for (const replica of ["r1", "r2"]) {
    replicas.push(
      await startCarrierConnector(
        loadCarrierConnectorConfig({
          ...infra.env,
          HEALTH_PORT: "0",
          REPLICA_ID: replica,
          HEALTH_PUBLISH_MS: "200",
          CARRIERS: JSON.stringify([
            { id: "shared", port: simulator.ports.shared, password: "secret" },
          ]),
        }),
        log,
      ),
    );
  }
  events = await observeEvents(infra.env, log);
});

afterAll(async () => {
  const nc = events?.messaging.nats.nc;
  if (nc) {
    await new Kvm(nc)
      .open(events.messaging.subjects.carrierHealthBucket)
      .then((kv) => kv.destroy())
      .catch(() => false);
  }
  await events?.close();
  for (const replica of replicas) await replica.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

describe("two connector replicas", () => {
  it("share the routed messages, and every receipt finds its message whichever replica it reaches", async () => {
    await waitFor(() => replicas.every((r) => r.boundCarriers().includes("shared")));
    const list = Array.from({ length: 40 }, (_, i) =>
      routed("shared", `+37258${String(i).padStart(6, "0")}`, `R${i}`),
    );
    await Promise.all(list.map((e) => events.messaging.publisher.publish(e)));
    await waitFor(
      () => list.every((e) => events.ofType(e.messageId, "ReceiptReceived").length === 1),
      { what: "40 receipts", timeoutMs: 20_000 },
    );
    expect(simulator.submissions()).toHaveLength(40);
    expect(simulator.binds().shared?.accepted).toBe(2);
    const kv = await new Kvm(events.messaging.nats.nc).open(
      events.messaging.subjects.carrierHealthBucket,
    );
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    expect(keys.sort()).toEqual(["shared.r1", "shared.r2"]);
  });
});
