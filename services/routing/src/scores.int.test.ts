import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedRouting, startRouting } from "./service.ts";
import {
  accepted,
  health,
  type RoutingUnderTest,
  receipt,
  silent,
  startRoutingUnderTest,
} from "./test-support.ts";

// Two carriers for Estonia: sim-a is cheaper. Scores and health are driven by events and
// health records, as the connector would publish them (the whole gateway with the real
// simulator and connector: test/e2e/src/reliability.e2e.test.ts).
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
  await waitFor(() => t.recorder.eventsOf(event.messageId, "MessageRouted").length > 0);
  const carrierId = t.recorder.eventsOf(event.messageId, "MessageRouted")[0]?.data.carrierId ?? "";
  return { messageId: event.messageId, carrierId };
}

const samples = (replica: StartedRouting, key: string, carrierId: string) => {
  const score = replica.view().scores(key).get(carrierId);
  return score ? score.delivered + score.failed : 0;
};

describe("live reliability and health", () => {
  it("when the cheaper carrier's receipts fail, traffic moves within a bounded number of messages and comes back when it recovers", async () => {
    const onA: string[] = [];
    let movedAfter = 0;
    for (let sent = 1; sent <= 10; sent++) {
      const { messageId, carrierId } = await route("EE-ratio");
      if (carrierId === "sim-b") {
        movedAfter = sent;
        break;
      }
      expect(carrierId).toBe("sim-a");
      onA.push(messageId);
      await t.messaging.publisher.publish(receipt(messageId, "sim-a", 1, false));
      await waitFor(() => samples(t.routing, "EE-ratio", "sim-a") === onA.length);
    }
    // Prior 0.9 weighted as 10 receipts, floor 0.8: two failures are enough, 9/12 < 0.8.
    expect(movedAfter).toBe(3);
    expect((await route("EE-ratio")).carrierId).toBe("sim-b");

    // sim-a's later parts are delivered: 4 delivered, 2 failed -> 13/16 >= 0.8, back on sim-a.
    for (const messageId of onA) {
      await t.messaging.publisher.publishAll([
        receipt(messageId, "sim-a", 2, true),
        receipt(messageId, "sim-a", 3, true),
      ]);
    }
    await waitFor(() => samples(t.routing, "EE-ratio", "sim-a") === 6);
    const back = await route("EE-ratio");
    expect(back.carrierId).toBe("sim-a");
    const [routed] = t.recorder.eventsOf(back.messageId, "MessageRouted");
    expect(routed?.data.reason).toMatchObject({
      winner: "sim-a",
      considered: [
        { carrierId: "sim-a", reliability: 0.813, samples: 6, tier: 0 },
        { carrierId: "sim-b", reliability: 0.9, samples: 0, tier: 0 },
      ],
    });
  });

  it("when a second replica starts, it replays the window and holds the same scores", async () => {
    const second = await startRouting({ ...t.config, HEALTH_PORT: 0 }, silent);
    try {
      expect(second.view().scores("EE-ratio")).toEqual(t.routing.view().scores("EE-ratio"));
      expect(samples(second, "EE-ratio", "sim-a")).toBe(6);
    } finally {
      await second.stop();
    }
  });

  it("when the cheaper carrier's binds go down, messages go to the other, and come back when they are up", async () => {
    await t.putHealth(health("sim-a", 0));
    await waitFor(() => t.routing.view().health.get("sim-a") === "down");
    const during = await route("EE-health");
    expect(during.carrierId).toBe("sim-b");
    expect(t.recorder.eventsOf(during.messageId, "MessageRouted")[0]?.data.reason).toMatchObject({
      considered: [{ carrierId: "sim-a", health: "down", tier: 3 }, { carrierId: "sim-b" }],
    });

    await t.putHealth(health("sim-a", 2));
    await waitFor(() => t.routing.view().health.get("sim-a") === "up");
    expect((await route("EE-health")).carrierId).toBe("sim-a");
  });
});
