import type { DataOf } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import type { CarrierScore, HealthState } from "./choose.ts";
import { DEFAULT_POLICY } from "./choose.ts";
import {
  commandStatusHex,
  decideAfterSubmitFailure,
  decideRoute,
  type RoutingState,
  type RoutingView,
} from "./decide.ts";
import { parseRouteTable } from "./route-table.ts";

function view(overrides: Partial<RoutingView> = {}): RoutingView {
  const parsed = parseRouteTable("+372=sim-a:300|sim-b:400|sim-c:500,+3725=sim-b,+1=sim-b");
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return {
    table: parsed.table,
    scores: () => new Map<string, CarrierScore>(),
    health: new Map<string, HealthState>(),
    simulated: new Set<string>(),
    policy: DEFAULT_POLICY,
    maxAttempts: 3,
    ...overrides,
  };
}

const content = {
  to: "+37212345678",
  from: "MyApp",
  text: "hi",
  encoding: "gsm7" as const,
  parts: 1,
};

function failure(overrides: Partial<DataOf<"SubmitFailed">> = {}): DataOf<"SubmitFailed"> {
  return {
    carrierId: "sim-a",
    attempt: 1,
    retryable: true,
    commandStatus: 0x58,
    detail: "throttled",
    ...overrides,
  };
}

const state = (tried: string[]): RoutingState => ({ ...content, scoreKey: "EE", tried });

describe("first route", () => {
  it("when a prefix matches, the best candidate is chosen and the reason lists them all", () => {
    const decision = decideRoute(view(), { ...content, country: "EE", validUntil: null });
    expect(decision).toMatchObject({
      kind: "route",
      carrierId: "sim-a",
      attempt: 1,
      state: { scoreKey: "EE", tried: ["sim-a"] },
      reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b", "sim-c"], winner: "sim-a" },
    });
  });

  it("when the accepted event has no country, scores are kept under the matched prefix", () => {
    const decision = decideRoute(view(), { ...content, to: "+37256789012", country: null });
    expect(decision).toMatchObject({ carrierId: "sim-b", state: { scoreKey: "+3725" } });
  });

  it("when no prefix matches, the message fails with no_route", () => {
    expect(decideRoute(view(), { ...content, to: "+4915123456789" })).toEqual({
      kind: "fail",
      reason: "no_route",
      errorCode: null,
      detail: "no route for +4915123456789",
    });
  });
});

describe("after a submit failure", () => {
  it("when the failure is retryable, the next best carrier not tried gets attempt + 1", () => {
    const decision = decideAfterSubmitFailure(view(), failure(), state(["sim-a"]));
    expect(decision).toMatchObject({
      kind: "route",
      carrierId: "sim-b",
      attempt: 2,
      state: { tried: ["sim-a", "sim-b"] },
    });
  });

  it("when the failure carries its failover context, the next attempt is decided from it alone", () => {
    const withContext = failure({
      failover: {
        content: { ...content, validUntil: "2030-01-01T00:00:00.000Z" },
        tried: ["sim-a"],
        scoreKey: "EE",
      },
    });
    const decision = decideAfterSubmitFailure(view(), withContext);
    expect(decision).toMatchObject({
      kind: "route",
      carrierId: "sim-b",
      attempt: 2,
      state: {
        to: "+37212345678",
        text: "hi",
        validUntil: "2030-01-01T00:00:00.000Z",
        scoreKey: "EE",
        tried: ["sim-a", "sim-b"],
      },
    });
    // Redelivered: the same decision (its order has the same id, and JetStream drops it).
    expect(decideAfterSubmitFailure(view(), withContext)).toEqual(decision);
  });

  it("when the context's carriers tried lack the one that failed, it is not tried again", () => {
    const decision = decideAfterSubmitFailure(view(), failure({ carrierId: "sim-b" }), state([]));
    expect(decision).toMatchObject({ kind: "route", carrierId: "sim-a", attempt: 2 });
  });

  it("when the failure is permanent, the message fails with submit_rejected and the status in hex", () => {
    const decision = decideAfterSubmitFailure(
      view(),
      failure({ retryable: false, commandStatus: 0x0b, detail: "invalid destination" }),
      state(["sim-a"]),
    );
    expect(decision).toMatchObject({
      kind: "fail",
      reason: "submit_rejected",
      errorCode: "0x0000000b",
    });
  });

  it("when the last attempt failed, or every carrier was tried, it fails with no_carrier_left", () => {
    const last = decideAfterSubmitFailure(
      view({ maxAttempts: 2 }),
      failure({ attempt: 2, carrierId: "sim-b" }),
      state(["sim-a", "sim-b"]),
    );
    expect(last).toMatchObject({ kind: "fail", reason: "no_carrier_left" });
    const oneCarrier = { ...state(["sim-b"]), to: "+15551234567" };
    const none = decideAfterSubmitFailure(view(), failure({ carrierId: "sim-b" }), oneCarrier);
    expect(none).toMatchObject({
      kind: "fail",
      reason: "no_carrier_left",
      errorCode: "0x00000058",
    });
  });

  it("when a retryable failure carries no failover context (an old event), it fails with no_carrier_left saying so", () => {
    const decision = decideAfterSubmitFailure(view(), failure());
    expect(decision).toMatchObject({ kind: "fail", reason: "no_carrier_left" });
    expect(decision.kind === "fail" && decision.detail).toMatch(/no failover context/);
  });

  it("writes command statuses as the specification does", () => {
    expect(commandStatusHex(0x45)).toBe("0x00000045");
  });
});

describe("a test account's message", () => {
  const simulators = view({ simulated: new Set(["sim-a", "sim-c"]) });

  it("when routed, it goes to a simulator and its state and reason say it is a test", () => {
    const decision = decideRoute(simulators, { ...content, country: "EE", test: true });
    expect(decision).toMatchObject({
      kind: "route",
      carrierId: "sim-a",
      state: { test: true, tried: ["sim-a"] },
      reason: { test: true, winner: "sim-a" },
    });
  });

  it("when it fails over, it skips the real carrier for the next simulator, then runs out", () => {
    const testState = { ...state(["sim-a"]), test: true };
    const next = decideAfterSubmitFailure(simulators, failure(), testState);
    expect(next).toMatchObject({
      kind: "route",
      carrierId: "sim-c",
      attempt: 2,
      state: { test: true, tried: ["sim-a", "sim-c"] },
    });
    const last = decideAfterSubmitFailure(simulators, failure({ carrierId: "sim-c", attempt: 2 }), {
      ...testState,
      tried: ["sim-a", "sim-c"],
    });
    expect(last).toMatchObject({ kind: "fail", reason: "no_carrier_left" });
  });

  it("when no simulator serves the destination, it fails with no_route saying why", () => {
    const decision = decideRoute(simulators, { ...content, to: "+15551234567", test: true });
    expect(decision).toEqual({
      kind: "fail",
      reason: "no_route",
      errorCode: null,
      detail:
        "test account: no simulated carrier for +15551234567 can take this message (sim-b: live_carrier)",
    });
  });

  it("when a live message is routed, its state carries no test flag", () => {
    const decision = decideRoute(simulators, { ...content, test: false });
    expect(decision.kind === "route" && "test" in decision.state).toBe(false);
  });
});
