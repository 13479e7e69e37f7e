import type { RoutingRules } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { checkDoor } from "./door.ts";

const rules: RoutingRules = {
  routablePrefixes: ["+372", "+1"],
  senderRules: [
    { prefix: "+1", alphanumericAllowed: false, registeredOnly: false, registeredSenders: [] },
    { prefix: "+7", alphanumericAllowed: false, registeredOnly: false, registeredSenders: [] },
    {
      prefix: "+3725",
      alphanumericAllowed: true,
      registeredOnly: true,
      registeredSenders: ["Bank"],
    },
  ],
  updatedAt: "2026-11-24T10:00:00.000Z",
};
const EE = { e164: "+37256789045", country: "EE" };
const RU = { e164: "+79123456789", country: "RU" };
const US = { e164: "+12025550143", country: "US" };
const status = (r: ReturnType<typeof checkDoor>) => (r.ok ? "ok" : r.error.status);

describe("checkDoor", () => {
  it("when routing has published no rules, only the account's blocked countries count", () => {
    expect(status(checkDoor({ account: {}, rules: null, destination: RU, sender: "MyApp" }))).toBe(
      "ok",
    );
    expect(
      checkDoor({
        account: { blockedCountries: ["RU"] },
        rules: null,
        destination: RU,
        sender: "MyApp",
      }),
    ).toEqual({
      ok: false,
      error: {
        status: "destination_blocked",
        message: "sending to RU is blocked for this account",
      },
    });
  });

  it("when the sender breaks the destination's rule and there is no route either, invalid_sender wins (api.md's order)", () => {
    const result = checkDoor({
      account: { blockedCountries: ["RU"] },
      rules,
      destination: RU,
      sender: "MyApp",
    });
    expect(result).toEqual({
      ok: false,
      error: { status: "invalid_sender", message: "this destination requires a numeric sender" },
    });
  });

  it("when the recipient opted out, it is opted_out: after invalid_sender, before destination_blocked", () => {
    const optedOut = { optedOut: true, rules, sender: "Bank" };
    expect(status(checkDoor({ ...optedOut, account: {}, destination: EE }))).toBe("opted_out");
    // A sender the destination refuses is still invalid_sender.
    expect(status(checkDoor({ ...optedOut, sender: "MyApp", account: {}, destination: EE }))).toBe(
      "invalid_sender",
    );
    // A blocked country is not reached: opted_out comes first.
    expect(
      status(checkDoor({ ...optedOut, account: { blockedCountries: ["EE"] }, destination: EE })),
    ).toBe("opted_out");
  });

  it("when the sender is fine but no prefix routes there, it is destination_blocked", () => {
    expect(checkDoor({ account: {}, rules, destination: RU, sender: "79000000000" })).toEqual({
      ok: false,
      error: { status: "destination_blocked", message: "no route to this destination" },
    });
  });

  it("when the longest matching rule wants registered senders, others are invalid_sender", () => {
    expect(status(checkDoor({ account: {}, rules, destination: EE, sender: "MyApp" }))).toBe(
      "invalid_sender",
    );
    expect(status(checkDoor({ account: {}, rules, destination: EE, sender: "Bank" }))).toBe("ok");
  });

  it("when the destination needs a numeric sender, a numeric one passes", () => {
    expect(status(checkDoor({ account: {}, rules, destination: US, sender: "MyApp" }))).toBe(
      "invalid_sender",
    );
    expect(status(checkDoor({ account: {}, rules, destination: US, sender: "+15550001" }))).toBe(
      "ok",
    );
  });

  it("when the sender is a number the account holds, it passes a registered-senders-only rule; another number does not", () => {
    const own = { account: {}, rules, destination: EE, sender: "+37250000001" };
    expect(status(checkDoor({ ...own, ownSender: true }))).toBe("ok");
    expect(checkDoor({ ...own, ownSender: false })).toEqual({
      ok: false,
      error: {
        status: "invalid_sender",
        message: "this destination accepts registered senders only",
      },
    });
  });

  it("when the account's own number is the sender, the destination is still judged: opted_out and no route are refused", () => {
    const own = { account: {}, rules, sender: "37250000001", ownSender: true };
    expect(status(checkDoor({ ...own, destination: EE, optedOut: true }))).toBe("opted_out");
    expect(status(checkDoor({ ...own, destination: RU }))).toBe("destination_blocked");
  });

  it("when the destination turns the sender ID registry on, an alphanumeric sender must be approved for the account; numeric senders are judged as before", () => {
    const registry: RoutingRules = {
      ...rules,
      senderRules: [
        {
          prefix: "+372",
          alphanumericAllowed: true,
          registeredOnly: false,
          registeredSenders: [],
          accountRegistry: true,
        },
      ],
    };
    const send = { account: {}, rules: registry, destination: EE };
    expect(checkDoor({ ...send, sender: "MyBrand" })).toEqual({
      ok: false,
      error: {
        status: "invalid_sender",
        message:
          "this destination accepts sender IDs registered to your account and approved only (POST /v1/senders)",
      },
    });
    expect(status(checkDoor({ ...send, sender: "MyBrand", senderApproved: true }))).toBe("ok");
    expect(status(checkDoor({ ...send, sender: "37250000001" }))).toBe("ok");
    // Elsewhere the registry is off: any well-formed alphanumeric sender passes.
    expect(status(checkDoor({ ...send, destination: US, sender: "MyBrand" }))).toBe("ok");
  });
});
