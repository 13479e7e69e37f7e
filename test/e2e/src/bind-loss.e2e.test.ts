import { createMessageReader } from "@smsgw/message-read-model";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { carriersUp, type Sent, startTraffic } from "./traffic.ts";

// Two simulated carriers for Estonia, sim-a cheaper. At run time sim-a's SMSC starts
// dropping every session as soon as it is bound (the simulator's drop-binds, over and over),
// while a burst of messages is on its way: whatever was in flight or routed to sim-a must
// end delivered (on sim-a once it is back, or on sim-b), charged once and never refunded.
// Which path each message takes depends on timing (submitted before the drop and delivered
// when sim-a is back; routed to sim-b once routing sees sim-a down; routed to sim-a, handed
// back by the connector and failed over): the invariants hold on every path.
let gateway: Gateway;
let sql: postgres.Sql;

beforeAll(async () => {
  gateway = await startGateway({
    ROUTES: "+372=sim-a:300|sim-b:500",
    // A routed message waits this long for a bind before the connector hands it back.
    NO_BIND_FAILOVER_MS: "1000",
  });
  sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
  await carriersUp(gateway, ["sim-a", "sim-b"]);
});

afterAll(async () => {
  await sql?.end();
  await gateway?.stop();
});

describe("a carrier's binds go down at run time", () => {
  it("when the cheaper carrier loses its binds during a burst, every message is delivered, charged once, never refunded", async () => {
    const account = await gateway.pricing.accounts.createAccount({ name: "burst", credits: "10" });
    const traffic = await startTraffic(gateway, account, "+3725672");
    const simUrl = `http://127.0.0.1:${gateway.simulator.healthPort}`;
    const dropSimA = () => fetch(`${simUrl}/carriers/sim-a/drop-binds`, { method: "POST" });
    let flapping: NodeJS.Timeout | undefined;
    try {
      const before = await traffic.send();
      expect(before).toMatchObject({ carriers: ["sim-a"], status: "delivered" });

      const burst: Array<Promise<Sent>> = [];
      for (let i = 0; i < 12; i++) {
        burst.push(traffic.send());
        if (i === 3) {
          await dropSimA();
          flapping = setInterval(() => void dropSimA(), 20);
        }
      }
      // The SMSC comes back after a while: what waits for a receipt from sim-a gets it then.
      setTimeout(() => clearInterval(flapping), 4_000);
      const sent = await Promise.all(burst);
      clearInterval(flapping);

      expect(sent.map((m) => m.status)).toEqual(Array(12).fill("delivered"));
      // No loss and no double send: each reached exactly one carrier's SMSC.
      expect(sent.map((m) => m.carriers.length)).toEqual(Array(12).fill(1));
      const ids = sent.map((m) => m.messageId);
      const rows = await sql<{ kind: string; n: number }[]>`
        select kind, count(*)::int as n, count(distinct message_id)::int as distinct_messages
        from pricing.ledger where message_id in ${sql(ids)} group by kind order by kind`;
      expect(rows).toEqual([{ kind: "charge", n: 12, distinct_messages: 12 }]);

      // Each message's trail: submitted once (on the first attempt or after a failover),
      // never failed.
      const reader = createMessageReader(sql);
      const trails = await Promise.all(
        ids.map(
          async (id) =>
            (await reader.listEvents(id, account.accountId, { limit: 100 }))?.events ?? [],
        ),
      );
      expect(trails.every((t) => !t.some((e) => e.type === "MessageFailed"))).toBe(true);
      expect(trails.map((t) => t.filter((e) => e.type === "MessageSubmitted").length)).toEqual(
        Array(12).fill(1),
      );
    } finally {
      clearInterval(flapping);
      await traffic.close();
    }
  });
});
