import { describe, expect, it } from "vitest";
import {
  numberInPath,
  readInboundPage,
  readInboundUrl,
  readOptOutNumber,
  readTakeNumber,
} from "./number-requests.ts";

const problem = (checked: { ok: boolean; error?: { status: string; message: string } }) =>
  checked.ok ? null : checked.error;

describe("numbers and inbound requests", () => {
  it("when a number is asked for by country or by number, it is read; both or neither is invalid_params", () => {
    expect(readTakeNumber({ country: "ee" })).toEqual({ ok: true, value: { country: "EE" } });
    expect(readTakeNumber({ number: "+37250000001" })).toEqual({
      ok: true,
      value: { number: "+37250000001" },
    });
    // E.164 as written: not a national format, nor an extension quietly dropped.
    for (const number of ["+372 5000 0001", "+372-5000-0001 ext. 12", "+1 (555) 0100", "+0123"]) {
      expect(problem(readTakeNumber({ number }))?.message, number).toMatch(/E\.164/);
    }
    expect(problem(readTakeNumber({ country: "XX" }))?.message).toMatch(/alpha-2/);
    expect(problem(readTakeNumber({}))?.status).toBe("invalid_params");
    expect(problem(readTakeNumber({ country: "EE", number: "+37250000001" }))?.status).toBe(
      "invalid_params",
    );
    expect(problem(readTakeNumber({ country: "Estonia" }))?.message).toMatch(/alpha-2/);
  });

  it("when inboundUrl is set, the callback guard judges it and names the field; null clears it", () => {
    expect(readInboundUrl({ inboundUrl: null }, false)).toEqual({ ok: true, value: null });
    expect(readInboundUrl({ inboundUrl: "https://hooks.example/mo" }, false)).toEqual({
      ok: true,
      value: "https://hooks.example/mo",
    });
    expect(problem(readInboundUrl({ inboundUrl: "http://127.0.0.1/mo" }, false))?.message).toBe(
      "inboundUrl is refused: 127.0.0.1 is a loopback address",
    );
    expect(readInboundUrl({ inboundUrl: "http://127.0.0.1/mo" }, true).ok).toBe(true);
    expect(problem(readInboundUrl({}, false))?.message).toMatch(/inboundUrl is missing/);
  });

  it("when a number is put on the opt-out list, it must be E.164", () => {
    expect(readOptOutNumber({ number: "+37256789045" })).toEqual({
      ok: true,
      value: "+37256789045",
    });
    expect(problem(readOptOutNumber({ number: "56789045" }))?.status).toBe("invalid_params");
    expect(problem(readOptOutNumber({ number: "+372 5678 9045" }))?.status).toBe("invalid_params");
  });

  it("when a path names a number, only an E.164 number is one", () => {
    expect(numberInPath("+37250000001")).toBe("+37250000001");
    expect(numberInPath("37250000001")).toBeNull();
    expect(numberInPath("+abc")).toBeNull();
  });

  it("when a page is asked for, limit is 1 to 1000 (default 100) and an empty cursor is none", () => {
    expect(readInboundPage({})).toEqual({ ok: true, value: { limit: 100 } });
    expect(readInboundPage({ cursor: "", limit: "5" })).toEqual({ ok: true, value: { limit: 5 } });
    expect(problem(readInboundPage({ limit: "0" }))?.status).toBe("invalid_params");
  });
});
