import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accepted,
  health,
  type RoutingUnderTest,
  startRoutingUnderTest,
  submitFailed,
} from "./test-support.ts";

// Estonia has a real carrier (cheapest) and two simulators; the US only the real one. The
// connector's health records say which carriers are simulators, as it publishes them.
let t: RoutingUnderTest;

beforeAll(async () => {
  t = await startRoutingUnderTest({
    ROUTES: "+372=real:200|sim-a:300|sim-b:400,+1=real:200",
    ROUTE_MAX_ATTEMPTS: "3",
  });
  await t.putHealth(health("real", 2, false), health("sim-a", 2, true), health("sim-b", 2, true));
  await waitFor(() => t.routing.view().simulated.size === 2 && t.routing.view().health.size === 3, {
    what: "routing sees the three carriers' health",
  });
});

afterAll(async () => {
  await t?.stop();
});

describe("test accounts go to simulators only", () => {
  it("when a live and a test account send to the same country, the live one gets the real carrier and the test one a simulator", async () => {
    const live = accepted("+37212345678", { country: "EE" });
    const test = accepted("+37212345679", { country: "EE", test: true });
    await t.messaging.publisher.publishAll([live, test]);
    const [routedLive] = await t.recorder.ordersFor(live.messageId);
    const [routedTest] = await t.recorder.ordersFor(test.messageId);
    expect(routedLive?.data.carrierId).toBe("real");
    expect(routedLive?.data.reason).toMatchObject({
      considered: [
        { carrierId: "real", simulated: false },
        { carrierId: "sim-a", simulated: true, excluded: "simulator" },
        { carrierId: "sim-b", simulated: true, excluded: "simulator" },
      ],
    });
    expect(routedTest?.data.carrierId).toBe("sim-a");
    expect(routedTest?.data.test).toBe(true);
    expect(routedLive?.data).not.toHaveProperty("test");
    expect(routedTest?.data.reason).toMatchObject({
      test: true,
      considered: [{ carrierId: "real", excluded: "live_carrier" }, { carrierId: "sim-a" }, {}],
    });
  });

  it("when a test message's simulators refuse it, it fails over to the next simulator and then fails, never reaching the real carrier", async () => {
    const test = accepted("+37212345670", { country: "EE-failover", test: true });
    await t.messaging.publisher.publish(test);
    const [first] = await t.recorder.ordersFor(test.messageId);
    if (!first) throw new Error("no first order");
    // The failure hands the test flag back: failover keeps the message on simulators.
    await t.messaging.publisher.publish(submitFailed(first, true));
    const [, second] = await t.recorder.ordersFor(test.messageId, 2);
    if (!second) throw new Error("no second order");
    await t.messaging.publisher.publish(submitFailed(second, true));
    const failed = await t.recorder.failureOf(test.messageId);
    const orders = t.recorder.ordersOf(test.messageId);
    expect(orders.map((o) => o.data.carrierId)).toEqual(["sim-a", "sim-b"]);
    expect(failed.map((e) => e.data.reason)).toEqual(["no_carrier_left"]);
  });

  it("when a test message's destination has no simulator, it fails with no_route saying so", async () => {
    const test = accepted("+15551234567", { test: true });
    await t.messaging.publisher.publish(test);
    const failed = await t.recorder.failureOf(test.messageId);
    expect(failed.map((e) => e.data)).toEqual([
      {
        reason: "no_route",
        errorCode: null,
        detail:
          "test account: no simulated carrier for +15551234567 can take this message (real: live_carrier)",
        publicErrorCode: "no_route",
      },
    ]);
    expect(t.recorder.ordersOf(test.messageId)).toEqual([]);
  });
});
