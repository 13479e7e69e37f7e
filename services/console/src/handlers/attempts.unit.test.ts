import { describe, expect, it } from "vitest";
import { Attempts, checkSecret } from "./attempts.ts";

const rule = { maxFailures: 5, windowMs: 15 * 60_000 };
const now = 1_000_000;
const right = async () => true;
const wrong = async () => false;

describe("log-in attempts, with the real counters", () => {
  it("when someone with the password logs in again between wrong codes, the codes still lock at the limit", async () => {
    const attempts = new Attempts(rule);
    const outcomes: string[] = [];
    // A fresh client address each round: only the user's own count can stop them.
    for (let round = 0; round < 10; round++) {
      const ip = `198.51.100.${round}`;
      await checkSecret(attempts, { kind: "password", email: "v@example.com", ip }, now, right);
      const code = await checkSecret(attempts, { kind: "code", userId: "usr_v", ip }, now, wrong);
      outcomes.push(code.outcome);
    }
    expect(outcomes.filter((o) => o === "wrong")).toHaveLength(rule.maxFailures);
    expect(outcomes.slice(rule.maxFailures)).toEqual(Array(5).fill("locked"));
  });

  it("when a code is right, the user's wrong codes are forgotten", async () => {
    const attempts = new Attempts(rule);
    const who = { kind: "code" as const, userId: "usr_v", ip: "192.0.2.1" };
    for (let i = 0; i < rule.maxFailures - 1; i++) await checkSecret(attempts, who, now, wrong);
    expect(await checkSecret(attempts, who, now, right)).toEqual({ outcome: "right" });
    expect(attempts.count("codes:usr_v", now)).toBe(0);
  });

  it("when every wrong password comes from another address of one IPv6 /64, the client is locked at the limit", async () => {
    const attempts = new Attempts(rule);
    const outcomes: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const who = { kind: "password" as const, email: `u${i}@example.com`, ip: `2001:db8:7::${i}` };
      outcomes.push((await checkSecret(attempts, who, now, wrong)).outcome);
    }
    expect(outcomes).toEqual([...Array(5).fill("wrong"), "locked", "locked"]);
  });

  it("when junk keys flood the table, a victim's partial count is kept", async () => {
    const attempts = new Attempts(rule, 1_000);
    const victim = { kind: "password" as const, email: "v@example.com", ip: "192.0.2.1" };
    for (let i = 0; i < rule.maxFailures - 1; i++) await checkSecret(attempts, victim, now, wrong);
    for (let j = 0; j < 5_000; j++) {
      const junk = {
        kind: "password" as const,
        email: `x${j}@e.com`,
        ip: `2001:db8:${j.toString(16)}::1`,
      };
      await checkSecret(attempts, junk, now + 1, wrong);
    }
    expect(attempts.count("email:v@example.com", now + 1)).toBe(rule.maxFailures - 1);
    const fifth = await checkSecret(attempts, { ...victim, ip: "203.0.113.9" }, now + 2, wrong);
    expect(fifth.outcome).toBe("wrong");
    const sixth = await checkSecret(attempts, { ...victim, ip: "203.0.113.10" }, now + 3, wrong);
    expect(sixth.outcome).toBe("locked");
  });
});
