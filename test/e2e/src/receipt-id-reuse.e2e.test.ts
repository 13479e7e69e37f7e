import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { carriersUp, type Sent, startTraffic } from "./traffic.ts";

// A carrier that restarts (or whose counter wraps) hands out its message ids again. Its
// receipts come at once, so most overtake our recording of the new submit's id: the receipt
// then finds only the old message's part, final long ago, under the same id. Issue 23 found
// 22 % of such messages never reported. Here the simulator's ids restart between two rounds,
// through its own control API, and every message of both rounds must end reported.
const ROUND = 25;

let gateway: Gateway;
let sql: postgres.Sql;
let simUrl: string;

beforeAll(async () => {
  gateway = await startGateway({ ROUTES: "+372=sim-a" });
  sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
  simUrl = `http://127.0.0.1:${gateway.simulator.healthPort}`;
  gateway.simulator.configure("sim-a", {
    ...gateway.simulator.behaviour("sim-a"),
    receiptDelayMs: 0,
  });
  await carriersUp(gateway, ["sim-a"]);
});

afterAll(async () => {
  await sql?.end();
  await gateway?.stop();
});

const carrierIdsOf = (numberBase: string) =>
  gateway.simulator
    .submissions()
    .filter((s) => s.destination.startsWith(numberBase.slice(1)))
    .map((s) => s.carrierMessageId)
    .sort();

describe("a carrier reuses its message ids", () => {
  it("when the carrier's ids restart between two rounds and its receipts come at once, every message of both rounds is delivered and reported", async () => {
    const account = await gateway.pricing.accounts.createAccount({ name: "reuse", credits: "10" });
    const first = await startTraffic(gateway, account, "+3725671");
    const second = await startTraffic(gateway, account, "+3725672");
    try {
      const round1: Sent[] = await Promise.all(Array.from({ length: ROUND }, () => first.send()));
      const restart = await fetch(`${simUrl}/carriers/sim-a/restart-ids`, { method: "POST" });
      expect(restart.status).toBe(200);
      const round2: Sent[] = await Promise.all(Array.from({ length: ROUND }, () => second.send()));

      // The second round got the very ids of the first.
      expect(carrierIdsOf("+3725672")).toEqual(carrierIdsOf("+3725671"));
      expect([...round1, ...round2].map((m) => m.status)).toEqual(
        Array(2 * ROUND).fill("delivered"),
      );
      // Both holders of each id are kept, each marked final by its own receipt.
      const parts = await sql<{ holders: number; final: boolean }[]>`
        select count(*)::int as holders, bool_and(final) as final
        from connector.parts where carrier_id = 'sim-a' group by carrier_message_id`;
      expect(parts).toHaveLength(ROUND);
      expect(parts.every((p) => p.holders === 2 && p.final)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
