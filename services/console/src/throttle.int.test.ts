import { Visitor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";

/**
 * The log-in and sign-up throttles under parallel bursts, over real HTTP: each test gets a
 * console of its own (the counters live in its memory), all on one pricing and database.
 */
let stack: PricingStack;

beforeAll(async () => {
  stack = await startPricingStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** A console of its own, with fresh counters; its base URL. */
const freshConsole = (env: Record<string, string> = {}) => stack.console(env);

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe("log-in and sign-up throttles under a parallel burst", () => {
  it("when 40 wrong passwords arrive at once from one client, exactly LOGIN_MAX_FAILURES are checked and the rest get 429 with Retry-After", async () => {
    const visitor = new Visitor(await freshConsole({ LOGIN_MAX_FAILURES: "5" }));
    await visitor.get("/login");
    // A new email each time: only the per-client key can stop them.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        visitor.post("/login", { email: `guess${i}@example.com`, password: "wrong password" }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 401)).toBe(5);
    expect(count(statuses, 429)).toBe(35);
    const refused = answers.find((a) => a.status === 429);
    expect(Number(refused?.res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("when 30 sign-ups arrive at once from one client, exactly SIGNUPS_PER_IP_HOUR accounts are created", async () => {
    const visitor = new Visitor(await freshConsole({ SIGNUPS_PER_IP_HOUR: "10" }));
    await visitor.get("/signup");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        visitor.post("/signup", {
          email: `burst${i}@example.com`,
          password: "correct horse battery",
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 201)).toBe(10);
    expect(count(statuses, 429)).toBe(20);
    const [users] = await stack.sql<Array<{ n: number }>>`
      select count(*)::int as n from console.users where email like 'burst%'`;
    expect(users?.n).toBe(10);
  });
});

describe("the client as the throttle sees it", () => {
  /** 12 wrong passwords at once, each with its own email, and the X-Forwarded-For of `i`. */
  async function burst(visitor: Visitor, forwardedFor: (i: number) => string) {
    await visitor.get("/login");
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        visitor.post(
          "/login",
          { email: `spoof${i}@example.com`, password: "wrong password" },
          { headers: { "x-forwarded-for": forwardedFor(i) } },
        ),
      ),
    );
    return answers.map((a) => a.status);
  }
  const spoofed = (i: number) => `198.51.100.${i + 1}`;

  it("when no proxy is trusted (the default), X-Forwarded-For is ignored: spoofed addresses are all the one connection", async () => {
    const visitor = new Visitor(await freshConsole({ LOGIN_MAX_FAILURES: "5" }));
    const statuses = await burst(visitor, spoofed);
    expect(count(statuses, 401)).toBe(5);
  });

  it.each([
    ["1", "one proxy hop"],
    ["127.0.0.1/8", "the proxy's CIDR"],
  ])(
    "when TRUST_PROXY is %s (%s), the client is the address the proxy added: what the client wrote before it changes nothing, another client has its own count",
    async (trust) => {
      const base = await freshConsole({ LOGIN_MAX_FAILURES: "5", TRUST_PROXY: trust });
      // This test is the proxy: it appends the real client's address to what the client sent.
      const statuses = await burst(new Visitor(base), (i) => `${spoofed(i)}, 203.0.113.7`);
      expect(count(statuses, 401)).toBe(5);
      expect(count(statuses, 429)).toBe(7);
      const other = new Visitor(base, { "x-forwarded-for": "203.0.113.8" });
      await other.get("/login");
      const answer = await other.post("/login", { email: "x@example.com", password: "wrong" });
      expect(answer.status).toBe(401);
    },
  );

  it("when 40 log-ins for one email come at once from 40 clients, exactly LOGIN_MAX_FAILURES are checked", async () => {
    const visitor = new Visitor(await freshConsole({ LOGIN_MAX_FAILURES: "5", TRUST_PROXY: "1" }));
    await visitor.get("/login");
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        visitor.post(
          "/login",
          { email: "victim@example.com", password: `guess ${i}` },
          { headers: { "x-forwarded-for": spoofed(i) } },
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 401)).toBe(5);
    expect(count(statuses, 429)).toBe(35);
  });
});
