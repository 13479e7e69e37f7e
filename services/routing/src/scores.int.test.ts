import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedRouting, startRouting } from "./service.ts";
import {
  accepted,
  counts,
  health,
  type RoutingUnderTest,
  silent,
  startRoutingUnderTest,
} from "./test-support.ts";

// Two carriers for Estonia: sim-a is cheaper. Scores and health come from the connectors'
// health records (with their counts), put here as the connector would publish them (the
// whole gateway with the real simulator and connector: test/e2e/src/reliability.e2e.test.ts).
let t: RoutingUnderTest;

beforeAll(async () => {
  t = await startRoutingUnderTest({
    ROUTES: "+372=sim-a:300|sim-b:400",
    ROUTE_RELIABILITY_FLOOR: "0.8",
    ROUTE_PRIOR: "0.9",
    ROUTE_PRIOR_WEIGHT: "10",
  });
});

afterAll(async () => {
  await t?.stop();
});

/** Sends one message to Estonia with `country` as its score key; the carrier it went to. */
async function route(country: string): Promise<{ messageId: string; carrierId: string }> {
  const event = accepted("+37212345678", { country });
  await t.messaging.publisher.publish(event);
  const [order] = await t.recorder.ordersFor(event.messageId);
  return { messageId: event.messageId, carrierId: order?.data.carrierId ?? "" };
}

const samples = (replica: StartedRouting, key: string, carrierId: string) => {
  const score = replica.view().scores(key).get(carrierId);
  return score ? score.delivered + score.failed : 0;
};

describe("live reliability and health", () => {
  it("when the cheaper carrier's counted receipts fail, traffic moves to the other, and comes back when they are delivered", async () => {
    expect((await route("EE-ratio")).carrierId).toBe("sim-a");
    // Two replicas of the connector each counted one failed receipt: summed, 9/12 < 0.8.
    await t.putHealth(
      { ...health("sim-a", 2, undefined, [counts("EE-ratio", { undelivered: 1 })]), replica: "r1" },
      { ...health("sim-a", 2, undefined, [counts("EE-ratio", { undelivered: 1 })]), replica: "r2" },
    );
    await waitFor(() => samples(t.routing, "EE-ratio", "sim-a") === 2);
    expect((await route("EE-ratio")).carrierId).toBe("sim-b");

    // sim-a's later parts are delivered: 4 delivered, 2 failed -> 13/16 >= 0.8, back on sim-a.
    await t.putHealth({
      ...health("sim-a", 2, undefined, [
        counts("EE-ratio", { undelivered: 1, delivered: 4, latencyMsSum: 900, latencyCount: 3 }),
      ]),
      replica: "r1",
    });
    await waitFor(() => samples(t.routing, "EE-ratio", "sim-a") === 6);
    const back = await route("EE-ratio");
    expect(back.carrierId).toBe("sim-a");
    const [order] = t.recorder.ordersOf(back.messageId);
    expect(order?.data.reason).toMatchObject({
      winner: "sim-a",
      considered: [
        { carrierId: "sim-a", reliability: 0.813, samples: 6, latencyMs: 300, tier: 0 },
        { carrierId: "sim-b", reliability: 0.9, samples: 0, tier: 0 },
      ],
    });
  });

  it("when a second replica starts, it reads the same records and holds the same scores at once", async () => {
    const second = await startRouting({ ...t.config, HEALTH_PORT: 0 }, silent);
    try {
      await waitFor(() => samples(second, "EE-ratio", "sim-a") === 6);
      expect(second.view().scores("EE-ratio")).toEqual(t.routing.view().scores("EE-ratio"));
    } finally {
      await second.stop();
    }
  });

  it("when the cheaper carrier's binds go down, messages go to the other, and come back when they are up", async () => {
    await t.putHealth(health("sim-a", 0), { ...health("sim-a", 0), replica: "r2" });
    await waitFor(() => t.routing.view().health.get("sim-a") === "down");
    const during = await route("EE-health");
    expect(during.carrierId).toBe("sim-b");
    expect(t.recorder.ordersOf(during.messageId)[0]?.data.reason).toMatchObject({
      considered: [{ carrierId: "sim-a", health: "down", tier: 3 }, { carrierId: "sim-b" }],
    });

    await t.putHealth(health("sim-a", 2));
    await waitFor(() => t.routing.view().health.get("sim-a") === "up");
    expect((await route("EE-health")).carrierId).toBe("sim-a");
  });
});
