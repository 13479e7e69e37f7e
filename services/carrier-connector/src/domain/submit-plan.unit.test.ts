import { describe, expect, it } from "vitest";
import { DEFAULT_CARRIER_RULES, planSubmit } from "./submit-plan.ts";

const content = {
  from: "MyApp",
  to: "+37256789045",
  text: "Hi",
  encoding: "gsm7",
  parts: 1,
} as const;

describe("planSubmit", () => {
  it("when the content is sendable, it has both addresses and the parts", () => {
    const plan = planSubmit(content, 5);
    expect(plan).toMatchObject({
      ok: true,
      source: { ton: 5, addr: "MyApp" },
      destination: { ton: 1, addr: "37256789045" },
      parts: [{ part: 1, total: 1, dataCoding: 0 }],
    });
    expect(plan.ok && plan.mismatch).toBeUndefined();
  });

  it("when the parts differ from what was counted at acceptance, it says so", () => {
    const plan = planSubmit({ ...content, text: "Hi 👋" }, 5);
    expect(plan.ok && plan.mismatch).toMatch(/counted 1 gsm7 part\(s\).*sending 1 ucs2/);
  });

  it("when a udh16 carrier gets a text billed with the 16-bit header's parts, it sends as many as were billed", () => {
    const long = { ...content, text: "a".repeat(306), parts: 3, concat: "udh16" } as const;
    const rules = { ...DEFAULT_CARRIER_RULES, concat: "udh16" } as const;
    const plan = planSubmit(long, 5, rules);
    expect(plan.ok && plan.parts).toHaveLength(3);
    expect(plan.ok && plan.mismatch).toBeUndefined();
    // Billed before ADR 0011 (153 a part): the carrier's header needs one more, and says so.
    const old = planSubmit({ ...long, parts: 2, concat: undefined }, 5, rules);
    expect(old.ok && old.mismatch).toMatch(/counted 2 gsm7 part\(s\).*sending 3 gsm7/);
  });

  it("when the sender cannot be sent, it is not ok", () => {
    expect(planSubmit({ ...content, from: "Longer than 11" }, 5).ok).toBe(false);
  });
});
