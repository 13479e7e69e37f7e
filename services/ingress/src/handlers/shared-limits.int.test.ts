import { createLogger, type Database, openDatabase } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIngressConfig } from "../config.ts";
import { type StartedIngress, startIngress } from "../service.ts";
import {
  type Answer,
  call,
  type Harness,
  NUMBERS,
  query,
  startHarness,
} from "../testing/harness.ts";

// Two ingress replicas on one NATS prefix and one database, as behind a balancer (which
// sets X-Forwarded-For). The account's limit is 20 and an IP's 3, each with a refill of one
// token per 100 s, so nothing refills during the test and every count below is exact but for
// the replicas' sync (RATE_LIMIT_SYNC_MS).
const LIMITS = {
  TRUST_PROXY: "true",
  ACCOUNT_RATE_PER_SEC: "0.01",
  ACCOUNT_BURST: "20",
  IP_RATE_PER_SEC: "0.01",
  IP_BURST: "3",
  RATE_LIMIT_SYNC_MS: "50",
};
let nextIp = 1;
/** A client address of its own per request, so only the account's limit applies. */
const freshIp = () => ({ headers: { "x-forwarded-for": `198.51.100.${nextIp++}` } });
let h: Harness;
let second: StartedIngress;
let database: Database<unknown>;

beforeAll(async () => {
  h = await startHarness(LIMITS);
  second = await startIngress(
    loadIngressConfig({ ...h.infra.env, HTTP_PORT: "0", AUTHORIZE_TIMEOUT_MS: "5000", ...LIMITS }),
    createLogger("ingress-test-2", h.infra.env.LOG_LEVEL),
  );
  database = openDatabase(h.infra.env.DATABASE_URL as string, "ingress", { max: 1 });
});
afterAll(async () => {
  await database?.close();
  await second?.stop();
  await h?.stop();
});

const sharedTokens = async (key: string) => {
  const [row] = await database.sql<{ tokens: number }[]>`
    select tokens from ingress.rate_buckets where key = ${key}`;
  return row?.tokens;
};

describe("when two replicas serve one client address", () => {
  it("when the address spends its burst at one replica, the other refuses it too, before any other check", async () => {
    const from = { headers: { "x-forwarded-for": "203.0.113.9" } };
    const replicas = [h.base, `http://127.0.0.1:${second.port}`] as const;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(`${replicas[0]}/`, from)).httpStatus);
    // invalid_params (no fields) costs a token of the address like any request; the 4th is refused.
    expect(statuses).toEqual([400, 400, 400, 429]);
    await waitFor(async () => ((await sharedTokens("ip:203.0.113.9")) ?? 3) < 1, {
      what: "the address's bucket to be spent in the shared table",
    });
    const other: number[] = [];
    await waitFor(
      async () => {
        other.push((await call(`${replicas[1]}/`, from)).httpStatus);
        return other.at(-1) === 429 || other.length >= 3;
      },
      // Each try a sync (RATE_LIMIT_SYNC_MS) or more after the last: on a busy machine three
      // tries 25 ms apart could all come before the second replica's next sync.
      { what: "the second replica to refuse the address", intervalMs: 120 },
    );
    // Limits per replica would let 3 more through; shared, at most its first before it syncs.
    expect(other.at(-1)).toBe(429);
    expect(other.filter((s) => s === 400).length).toBeLessThan(3);
  });
});

describe("when two replicas serve one account", () => {
  it("when the account spends its burst at one replica, the other refuses it too: one limit for the gateway", async () => {
    const account = await h.putAccount();
    const replicas = [h.base, `http://127.0.0.1:${second.port}`] as const;
    const send = (base: string): Promise<Answer> =>
      call(
        `${base}/?${query({
          hash: account.hash,
          token: account.token,
          toNumber: NUMBERS.charged,
          fromNumber: "MyApp",
          text: "hi",
        })}`,
        freshIp(),
      );
    // The second replica must know the account (its own accounts cache) before we start.
    await waitFor(async () => (await send(replicas[1])).httpStatus === 200, {
      what: "the second replica to know the account",
    });

    const accountKey = `account:${account.accountId}`;
    await waitFor(async () => ((await sharedTokens(accountKey)) ?? 20) <= 19, {
      what: "the second replica's send in the shared bucket",
    });

    // The first replica takes the rest of the burst (19: it learns the other's one at its
    // first sync, a few ms after its first request), then it refuses.
    const first: Answer[] = [];
    while (first.length < 40) {
      const answer = await send(replicas[0]);
      first.push(answer);
      if (answer.httpStatus === 429) break;
    }
    const passedFirst = first.filter((a) => a.body.status === "success").length;
    expect(first.at(-1)?.httpStatus).toBe(429);
    expect(passedFirst).toBeLessThanOrEqual(20);

    // Once its report is in the shared bucket, the second replica refuses as well: with
    // limits per replica it would let a whole burst of 20 more through.
    await waitFor(async () => ((await sharedTokens(accountKey)) ?? 20) < 1, {
      what: "the shared bucket to be spent",
    });
    const other: Answer[] = [];
    await waitFor(
      async () => {
        const answer = await send(replicas[1]);
        other.push(answer);
        return answer.httpStatus === 429 || other.length >= 20;
      },
      { what: "the second replica to refuse" },
    );
    const refused = other.at(-1) as Answer;
    expect(refused.httpStatus).toBe(429);
    expect(refused.body.status).toBe("rate_limit");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const passedOther = other.filter((a) => a.body.status === "success").length;
    // Limits per replica would let 19 more through here and 40 in all; shared, the
    // overshoot is at most what a replica admits before its first sync.
    expect(passedOther).toBeLessThan(19);
    const total = 1 + passedFirst + passedOther;
    expect(total).toBeLessThan(40);
    // Every success was charged once and nothing else was: the refusals came first.
    const asked = h.authorizeRequests.filter((r) => r.accountId === account.accountId);
    expect(asked.length).toBe(total);
  });
});
