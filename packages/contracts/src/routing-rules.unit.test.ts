import { describe, expect, it } from "vitest";
import { concatFor, RoutingRules } from "./routing-rules.ts";

const rules = (udh16Prefixes?: string[]): RoutingRules =>
  RoutingRules.parse({
    routablePrefixes: ["+1", "+372", "+3725"],
    senderRules: [],
    ...(udh16Prefixes ? { udh16Prefixes } : {}),
    updatedAt: "2026-12-01T00:00:00.000Z",
  });

describe("concatFor: the header a destination's parts are counted with (ADR 0011)", () => {
  it("when the rules name no 16-bit route, or there are no rules, it is udh8", () => {
    expect(concatFor(rules(), "+37256789045")).toBe("udh8");
    expect(concatFor(null, "+37256789045")).toBe("udh8");
  });

  it("when the destination's longest routable prefix is a 16-bit route, it is udh16", () => {
    expect(concatFor(rules(["+372"]), "+37212345678")).toBe("udh16");
    expect(concatFor(rules(["+372"]), "+15551234567")).toBe("udh8");
  });

  it("when a longer prefix has a route of its own, that route decides", () => {
    expect(concatFor(rules(["+372"]), "+37256789045")).toBe("udh8");
    expect(concatFor(rules(["+3725"]), "+37256789045")).toBe("udh16");
  });

  it("when rules from before udh16Prefixes are read, they parse without it", () => {
    expect(rules().udh16Prefixes).toBeUndefined();
  });
});
