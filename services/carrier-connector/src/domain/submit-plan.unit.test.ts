import { describe, expect, it } from "vitest";
import { planSubmit } from "./submit-plan.ts";

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

  it("when the sender cannot be sent, it is not ok", () => {
    expect(planSubmit({ ...content, from: "Longer than 11" }, 5).ok).toBe(false);
  });
});
