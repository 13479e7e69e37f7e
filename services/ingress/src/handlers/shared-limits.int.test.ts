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

// Two ingress replicas on one NATS prefix and one database, as behind a balancer. The
// account's limit is 20 with a refill of one token per 100 s, so nothing refills during
// the test and every count below is exact but for the replicas' sync (RATE_LIMIT_SYNC_MS).
const LIMITS = {
  ACCOUNT_RATE_PER_SEC: "0.01",
  ACCOUNT_BURST: "20",
  IP_RATE_PER_SEC: "100000",
  IP_BURST: "100000",
  RATE_LIMIT_SYNC_MS: "50",
};
let h: Harness;
let second: StartedIngress;
let database: Database<unknown>;

beforeAll(async () => {
  h = await startHarness(LIMITS);
  second = await startIngress(
    loadIngressConfig({ ...h.infra.env, HTTP_PORT: "0", AUTHORIZE_TIMEOUT_MS: "500", ...LIMITS }),
    createLogger("ingress-test-2", h.infra.env.LOG_LEVEL),
  );
  database = openDatabase(h.infra.env.DATABASE_URL as string, "ingress", { max: 1 });
});
afterAll(async () => {
  await database?.close();
  await second?.stop();
  await h?.stop();
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
      );
    // The second replica must know the account (its own accounts cache) before we start.
    await waitFor(async () => (await send(replicas[1])).httpStatus === 200, {
      what: "the second replica to know the account",
    });

    const sharedTokens = async () => {
      const [row] = await database.sql<{ tokens: number }[]>`
        select tokens from ingress.rate_buckets where key = ${`account:${account.accountId}`}`;
      return row?.tokens;
    };
    await waitFor(async () => ((await sharedTokens()) ?? 20) <= 19, {
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
    await waitFor(async () => ((await sharedTokens()) ?? 20) < 1, {
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
