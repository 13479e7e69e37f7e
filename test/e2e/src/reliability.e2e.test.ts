import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { carriersUp, type Sent, startTraffic } from "./traffic.ts";

// Two simulated carriers for Estonia, sim-a cheaper. Their receipts are switched at run
// time through the simulator's own control API (PUT /carriers/{id}), as an operator or a
// chaos drill would, and every message goes the whole way: API, pricing, routing over NATS,
// the connector's SMPP binds, the simulator's receipts, routing's scores from the counts the
// connector publishes with its health records (ADR 0009). A short score window (10 s, the
// connector counting in 1 s slots) keeps the recovery phase short.
const WINDOW_SECONDS = 10;

let gateway: Gateway;
let traffic: Awaited<ReturnType<typeof startTraffic>>;
let simUrl: string;

beforeAll(async () => {
  gateway = await startGateway({
    ROUTES: "+372=sim-a:300|sim-b:500",
    ROUTE_SCORE_WINDOW_SECONDS: String(WINDOW_SECONDS),
    ROUTE_RELIABILITY_FLOOR: "0.8",
    ROUTE_PRIOR: "0.9",
    ROUTE_PRIOR_WEIGHT: "10",
    SCORE_SLOT_MS: "1000",
    SCORE_WINDOW_MS: String(2 * WINDOW_SECONDS * 1000),
    HEALTH_PUBLISH_MS: "200",
  });
  simUrl = `http://127.0.0.1:${gateway.simulator.healthPort}`;
  const account = await gateway.pricing.accounts.createAccount({ name: "ratio", credits: "10" });
  traffic = await startTraffic(gateway, account, "+3725678");
  // Both binds up first, so the first message goes to sim-a by choice, not start-up timing.
  await carriersUp(gateway, ["sim-a", "sim-b"]);
});

afterAll(async () => {
  await traffic?.close();
  await gateway?.stop();
});

/**
 * Waits until routing's scores (accepted country EE) hold sim-a's receipts so far: they
 * reach it with the connector's next health record (ADR 0009: scores lag by up to its
 * publish interval), and the bounds below are about the policy, not that lag.
 */
const scoresHold = (outcome: "delivered" | "failed", receipts: number) =>
  waitFor(() => (gateway.routing.view().scores("EE").get("sim-a")?.[outcome] ?? 0) >= receipts, {
    what: `${receipts} ${outcome} receipt(s) of sim-a scored`,
  });

/** Replaces sim-a's receipts for Estonia at run time, keeping the rest of its behaviour. */
async function setSimAReceipts(stat: "DELIVRD" | "UNDELIV") {
  // GET answers { id, port, ...behaviour }; PUT takes the behaviour (id and port are not part of it).
  const {
    id: _id,
    port: _port,
    ...behaviour
  } = (await (await fetch(`${simUrl}/carriers/sim-a`)).json()) as Record<string, unknown>;
  const res = await fetch(`${simUrl}/carriers/sim-a`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      ...behaviour,
      outcomes: [{ prefix: "+372", stat, err: stat === "DELIVRD" ? "000" : "001" }],
    }),
  });
  expect(res.status).toBe(200);
}

describe("live delivery ratio moves traffic between two simulated carriers", () => {
  it("when the cheaper carrier stops delivering, traffic moves within a bounded number of messages, and comes back once it delivers again", async () => {
    // Healthy: the cheaper carrier takes everything.
    const healthy: Sent[] = [];
    for (let i = 0; i < 3; i++) healthy.push(await traffic.send());
    expect(healthy.map((m) => [m.carriers, m.status])).toEqual(
      Array(3).fill([["sim-a"], "delivered"]),
    );
    await scoresHold("delivered", 3);

    // sim-a's receipts turn UNDELIV. With the prior 0.9 weighted as 10 receipts and at most
    // the 3 deliveries above in the window, the ratio is under the floor 0.8 after at most
    // 3 failures ((3 + 9) / (3 + 3 + 10) = 0.75): the 4th message at the latest moves.
    await setSimAReceipts("UNDELIV");
    const degrading: Sent[] = [];
    for (let i = 0; i < 6; i++) {
      const sent = await traffic.send();
      degrading.push(sent);
      if (sent.carriers[0] === "sim-b") break;
      await scoresHold("failed", degrading.length);
    }
    const failedOnA = degrading.filter((m) => m.carriers[0] === "sim-a");
    expect(failedOnA.length).toBeGreaterThanOrEqual(1);
    expect(failedOnA.length).toBeLessThanOrEqual(3);
    expect(failedOnA.every((m) => m.status === "undelivered")).toBe(true);
    expect(degrading.at(-1)).toMatchObject({ carriers: ["sim-b"], status: "delivered" });
    const movedAt = Date.now();

    // sim-a delivers again. Demoted, it gets no traffic to show it; its failures age out of
    // the window (at most window + one slot after the last one), it is back at the prior,
    // the next message probes it, and the deliveries keep it in front.
    await setSimAReceipts("DELIVRD");
    const waiting: Sent[] = [];
    let back: Sent | undefined;
    while (!back && Date.now() - movedAt < (WINDOW_SECONDS + 8) * 1000) {
      const sent = await traffic.send();
      if (sent.carriers[0] === "sim-a") back = sent;
      else waiting.push(sent);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(back?.status).toBe("delivered");
    expect(waiting.every((m) => m.carriers[0] === "sim-b" && m.status === "delivered")).toBe(true);
    // Staying is the proof it recovered: a still-failing carrier at the prior would be
    // demoted again after two failures (9 / 12 < 0.8).
    const after: Sent[] = [];
    for (let i = 0; i < 3; i++) after.push(await traffic.send());
    expect(after.map((m) => [m.carriers, m.status])).toEqual(
      Array(3).fill([["sim-a"], "delivered"]),
    );
  });
});
