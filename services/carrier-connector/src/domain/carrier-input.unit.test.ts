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

  it("when simulated is not given it is false; when it is not a boolean the message names it", () => {
    const plain = parseCarrierInput("acme", { port: 2775, password: "pw" });
    expect(plain).toMatchObject({ ok: true, value: { simulated: false } });
    const bad = parseCarrierInput("acme", { port: 2775, password: "pw", simulated: "yes" });
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/simulated/) });
  });
});
