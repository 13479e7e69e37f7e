import { describe, expect, it } from "vitest";
import { checkRouting, type RoutingRules } from "./routing-rules.ts";
import { checkSenderId, senderKind } from "./sender-id.ts";

describe("checkSenderId: the one definition of a sender", () => {
  it.each(["MyApp", "A", "ABCDEFGHIJK", "My App 2", "1A", "Shop-24", "a_b@c"])(
    "when the sender is %j, it is alphanumeric",
    (sender) => {
      expect(checkSenderId(sender)).toEqual({ ok: true, sender, kind: "alphanumeric" });
    },
  );

  it.each(["1", "+37256789045", "123456789012345"])(
    "when the sender is %j, it is numeric",
    (sender) => {
      expect(checkSenderId(sender)).toEqual({ ok: true, sender, kind: "numeric" });
    },
  );

  it.each([
    ["ÄÖÜ", "characters"],
    ["Café", "characters"],
    ["ЖукApp", "characters"],
    ["My[App]", "characters"],
    ["ABCDEFGHIJKL", "alphanumeric_too_long"],
    ["1234567890123456", "numeric_too_long"],
    ["123-456", "not_numeric"],
    ["  ", "blank"],
  ])("when the sender is %j, it is refused as %s", (sender, problem) => {
    expect(checkSenderId(sender)).toEqual({ ok: false, problem });
  });

  it("when the sender has spaces around it, they are trimmed", () => {
    expect(checkSenderId(" MyApp ")).toEqual({ ok: true, sender: "MyApp", kind: "alphanumeric" });
  });
});

describe("senderKind: numeric-only rules", () => {
  it("when a sender is digits with an optional +, it is numeric; anything else counts as alphanumeric", () => {
    expect(senderKind("+37256789045")).toBe("numeric");
    expect(senderKind("37256789045")).toBe("numeric");
    for (const sender of ["MyApp", "ÄÖÜ", "ÄÖÜ1", "123-456", "1234567890123456", "Ж"]) {
      expect(senderKind(sender), sender).toBe("alphanumeric");
    }
  });

  it("when a destination requires a numeric sender, a sender of non-ASCII letters is refused there too", () => {
    const rules: RoutingRules = {
      routablePrefixes: ["+1"],
      senderRules: [
        { prefix: "+1", alphanumericAllowed: false, registeredOnly: false, registeredSenders: [] },
      ],
      updatedAt: "2026-12-01T00:00:00.000Z",
    };
    for (const from of ["ÄÖÜ", "MyApp"]) {
      expect(checkRouting(rules, "+15551234567", from)).toEqual({
        ok: false,
        status: "invalid_sender",
        message: "this destination requires a numeric sender",
      });
    }
    expect(checkRouting(rules, "+15551234567", "+15557654321")).toEqual({ ok: true });
  });
});
