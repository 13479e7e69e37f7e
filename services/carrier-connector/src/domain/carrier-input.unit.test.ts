import { describe, expect, it } from "vitest";
import { pairsToObject, parseCarrierInput } from "./carrier-input.ts";

describe("carrier input from the operator", () => {
  it("when key=value pairs are given, numbers and true/false are typed, credentials stay text", () => {
    expect(
      pairsToObject(["port=2775", "simulated=true", "password=1234", "systemId=true", "host=h"]),
    ).toEqual({
      ok: true,
      value: { port: 2775, simulated: true, password: "1234", systemId: "true", host: "h" },
    });
    expect(pairsToObject(["simulated"])).toMatchObject({ ok: false });
  });

  it("when a carrier's receipt errors are given as a JSON object, they are stored as its overrides; an unknown code is refused", () => {
    const pairs = pairsToObject(['receiptErrors={"004":"blocked_by_carrier"}', "port=2775"]);
    expect(pairs).toEqual({
      ok: true,
      value: { receiptErrors: { "004": "blocked_by_carrier" }, port: 2775 },
    });
    const carrier = parseCarrierInput("acme", { ...(pairs.ok ? pairs.value : {}), password: "pw" });
    expect(carrier).toMatchObject({
      ok: true,
      value: { receiptErrors: { "004": "blocked_by_carrier" } },
    });
    const unknown = parseCarrierInput("acme", {
      port: 2775,
      password: "pw",
      receiptErrors: { "004": "phone_on_fire" },
    });
    expect(unknown).toMatchObject({ ok: false, message: expect.stringMatching(/receiptErrors/) });
    expect(pairsToObject(["receiptErrors={004"])).toMatchObject({ ok: false });
  });

  it("when simulated is not given it is false; when it is not a boolean the message names it", () => {
    const plain = parseCarrierInput("acme", { port: 2775, password: "pw" });
    expect(plain).toMatchObject({ ok: true, value: { simulated: false } });
    const bad = parseCarrierInput("acme", { port: 2775, password: "pw", simulated: "yes" });
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/simulated/) });
  });
});
