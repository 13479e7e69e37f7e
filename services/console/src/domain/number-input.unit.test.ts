import { describe, expect, it } from "vitest";
import { numberInPath, readE164, readInboundUrl, readTakeForm } from "./number-input.ts";

describe("the numbers and opt-out forms", () => {
  it("when a country is given, it is taken in capitals; a number, when given, wins", () => {
    expect(readTakeForm(" ee ", "")).toEqual({ ok: true, value: { country: "EE" } });
    expect(readTakeForm("EE", "+372 5000 0001")).toEqual({
      ok: true,
      value: { number: "+37250000001" },
    });
    expect(readTakeForm("Estonia", "").ok).toBe(false);
  });

  it("when a number is not in international form, it is refused with what to type", () => {
    expect(readE164("+372 5678 9045")).toEqual({ ok: true, value: "+37256789045" });
    expect(readE164("5678 9045")).toMatchObject({ ok: false, problem: /international form/ });
    expect(readE164("+1")).toMatchObject({ ok: false });
  });

  it("when an inbound URL names a private host, the callback guard's reason is shown, unless private hosts are allowed", () => {
    expect(readInboundUrl("http://127.0.0.1:9000/mo", false)).toEqual({
      ok: false,
      problem: "Inbound URL refused: 127.0.0.1 is a loopback address.",
    });
    expect(readInboundUrl("http://127.0.0.1:9000/mo", true)).toEqual({
      ok: true,
      value: "http://127.0.0.1:9000/mo",
    });
    expect(readInboundUrl("https://user:pw@hooks.example.com/", false)).toMatchObject({
      ok: false,
      problem: /user info/,
    });
    expect(readInboundUrl("  ", false)).toEqual({ ok: true, value: null });
  });

  it("when a path names something else than an E.164 number, it is no number", () => {
    expect(numberInPath("+37250000001")).toBe("+37250000001");
    expect(numberInPath("37250000001")).toBeNull();
    expect(numberInPath("+3725<b>")).toBeNull();
  });
});
