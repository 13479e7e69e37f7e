import { describe, expect, it } from "vitest";
import { readSmppTime } from "./smpp-time.ts";

const now = Date.UTC(2026, 11, 6, 10, 0, 0);

describe("SMPP times", () => {
  it("when it is empty, there is none", () => {
    expect(readSmppTime("", now)).toBeNull();
  });

  it("when it is absolute, the offset in quarter hours is taken off (+) or added (-)", () => {
    expect(readSmppTime("261206120000008+", now)).toBe("2026-12-06T10:00:00.000Z");
    expect(readSmppTime("261206120000004-", now)).toBe("2026-12-06T13:00:00.000Z");
    expect(readSmppTime("261206100000500+", now)).toBe("2026-12-06T10:00:00.500Z");
  });

  it("when it is relative, it is added to now", () => {
    expect(readSmppTime("000001020000000R", now)).toBe("2026-12-07T12:00:00.000Z");
    expect(readSmppTime("000000000030000R", now)).toBe("2026-12-06T10:00:30.000Z");
  });

  it("when it is not an SMPP time or not a real one, it is refused", () => {
    expect(readSmppTime("2612061200", now)).toBeUndefined();
    expect(readSmppTime("261230120000000X", now)).toBeUndefined();
    expect(readSmppTime("260230120000000+", now)).toBeUndefined();
    expect(readSmppTime("261206250000000+", now)).toBeUndefined();
  });
});
