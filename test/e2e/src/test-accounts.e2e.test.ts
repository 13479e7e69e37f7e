import { createMessageReader } from "@smsgw/message-read-model";
import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { carriersUp, startTraffic } from "./traffic.ts";

// sim-a plays a real carrier (the connector is told it is not simulated) and is the cheaper
// for Estonia; sim-b is a simulator. Latvia has only sim-a. Which carrier a message reached
// is read from the simulator's record of submits.
let gateway: Gateway;
let sql: postgres.Sql;

beforeAll(async () => {
  gateway = await startGateway(
    { ROUTES: "+372=sim-a:300|sim-b:500,+371=sim-a:300" },
    {
      connectorCarriers: (carriers) => carriers.map((c) => ({ ...c, simulated: c.id !== "sim-a" })),
    },
  );
  sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
  await carriersUp(gateway, ["sim-a", "sim-b"]);
});

afterAll(async () => {
  await sql?.end();
  await gateway?.stop();
});

async function ledger(messageId: string) {
  const rows = await sql<{ kind: string }[]>`
    select kind from pricing.ledger where message_id = ${messageId} order by kind`;
  return rows.map((r) => r.kind);
}

describe("test accounts reach simulators only", () => {
  it("when a test account's request for live sending is approved, its next messages reach the real carrier and its balance is kept", async () => {
    const { pricing } = gateway;
    const trial = await pricing.accounts.createAccount({ name: "going-live", credits: "10" });
    const traffic = await startTraffic(gateway, trial, "+3725672");
    try {
      expect((await traffic.send()).carriers).toEqual(["sim-b"]);
      const form = { company: "Acme OÜ", monthlyVolume: 10_000, useCase: "one-time passwords" };
      await pricing.accounts.requestLive(trial.accountId, form, { actor: "console:e2e", ip: null });
      const before = (await pricing.accounts.get(trial.accountId))?.balance;
      // The same operation as `gw accounts approve-live` and the admin API's approve.
      await pricing.accounts.approveLive(trial.accountId, { actor: "cli:e2e", ip: null });
      expect((await pricing.accounts.get(trial.accountId))?.balance).toBe(before);
      // Ingress takes the republished record from the accounts bucket within the watch's delay.
      await waitFor(async () => (await traffic.send()).carriers[0] === "sim-a" || undefined, {
        timeoutMs: 20_000,
        what: "a message of the approved account at the real carrier",
      });
      expect((await traffic.send()).carriers).toEqual(["sim-a"]);
    } finally {
      await traffic.close();
    }
  });

  it("when a live and a test account send to the same country, the live one's messages reach the real carrier and the test one's only the simulator", async () => {
    const { pricing } = gateway;
    const live = await pricing.accounts.createAccount({ name: "live", credits: "10", test: false });
    const test = await pricing.accounts.createAccount({ name: "trial", credits: "10", test: true });
    const liveTraffic = await startTraffic(gateway, live, "+3725670");
    const testTraffic = await startTraffic(gateway, test, "+3725671");
    try {
      const sent = await Promise.all(
        [0, 1, 2].flatMap(() => [liveTraffic.send(), testTraffic.send()]),
      );
      const fromLive = sent.filter((_, i) => i % 2 === 0);
      const fromTest = sent.filter((_, i) => i % 2 === 1);
      expect(fromLive.map((m) => [m.carriers, m.status])).toEqual(
        Array(3).fill([["sim-a"], "delivered"]),
      );
      expect(fromTest.map((m) => [m.carriers, m.status])).toEqual(
        Array(3).fill([["sim-b"], "delivered"]),
      );
    } finally {
      await liveTraffic.close();
      await testTraffic.close();
    }
  });

  it("when a test account sends where only a real carrier goes, nothing reaches a carrier and the message fails, refunded once", async () => {
    const test = await gateway.pricing.accounts.createAccount({ name: "trial-lv", credits: "10" });
    const traffic = await startTraffic(gateway, test, "+3712000");
    try {
      const sent = await traffic.send();
      expect(sent).toMatchObject({ status: "failed", carriers: [] });
      expect(await ledger(sent.messageId)).toEqual(["charge", "refund"]);
      const page = await createMessageReader(sql).listEvents(sent.messageId, test.accountId, {
        limit: 100,
      });
      const failed = page?.events.filter((e) => e.type === "MessageFailed").map((e) => e.data);
      expect(failed).toMatchObject([
        {
          reason: "no_route",
          detail: expect.stringMatching(/^test account: no simulated carrier/),
        },
      ]);
    } finally {
      await traffic.close();
    }
  });
});
