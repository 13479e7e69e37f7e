import { describe, expect, it } from "vitest";
import { ownedNumberKey } from "./owned-number.ts";
import { RoutingRules } from "./routing-rules.ts";
import { senderIdKey } from "./sender-registry.ts";

describe("the doors' sender buckets", () => {
  it("when a sender ID has spaces and punctuation, its key is still one KV token per part", () => {
    expect(senderIdKey("acc_1", "My Brand!")).toBe("acc_1.4d79204272616e6421");
    expect(senderIdKey("acc_1", " MyBrand ")).toBe(senderIdKey("acc_1", "MyBrand"));
    expect(senderIdKey("acc_1", "mybrand")).not.toBe(senderIdKey("acc_1", "MyBrand"));
  });

  it("when a number is written with or without its +, it is the same key", () => {
    expect(ownedNumberKey("+37250000001")).toBe(ownedNumberKey("37250000001"));
  });

  it("when routing's rules come from before the registry, they parse with it off", () => {
    const old = RoutingRules.parse({
      routablePrefixes: ["+372"],
      senderRules: [{ prefix: "+372", alphanumericAllowed: true, registeredOnly: false }],
      updatedAt: "2026-12-01T00:00:00.000Z",
    });
    expect(old.senderRules[0]?.accountRegistry).toBeUndefined();
  });
});
