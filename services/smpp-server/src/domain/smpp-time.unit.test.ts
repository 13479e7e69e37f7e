import { smppAbsoluteTime } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { readSmppTime, scheduleOf } from "./smpp-time.ts";

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

describe("a submit's schedule and validity", () => {
  const limits = { maxScheduleAheadMs: 7 * 86_400_000, maxValidityMs: 72 * 3_600_000 };
  const of = (scheduleDeliveryTime: string, validityPeriod: string) =>
    scheduleOf({ scheduleDeliveryTime, validityPeriod }, now, limits);

  it("when neither is set, the message goes now with the carrier's validity", () => {
    expect(of("", "")).toEqual({ ok: true, value: { sendAt: null, validUntil: null } });
  });

  it("when both are set, they are the message's sendAt and validUntil", () => {
    expect(of("000000010000000R", "000001000000000R")).toEqual({
      ok: true,
      value: { sendAt: "2026-12-06T11:00:00.000Z", validUntil: "2026-12-07T10:00:00.000Z" },
    });
  });

  it("when the schedule is unreadable or too far ahead, it is ESME_RINVSCHED", () => {
    expect(of("garbage", "")).toMatchObject({ ok: false, status: 0x61 });
    expect(of("000100000000000R", "")).toMatchObject({ ok: false, status: 0x61 });
  });

  it("when the validity is unreadable, before the sending time or too long, it is ESME_RINVEXPIRY", () => {
    expect(of("", "garbage")).toMatchObject({ ok: false, status: 0x62 });
    expect(of("000000020000000R", "000000010000000R")).toMatchObject({ ok: false, status: 0x62 });
    expect(of("", "000004000000000R")).toMatchObject({ ok: false, status: 0x62 });
  });
});

describe("writing an SMPP time", () => {
  it("when an instant is written, it is absolute in UTC with its tenths, and reads back the same", () => {
    expect(smppAbsoluteTime(new Date("2026-12-07T18:30:05.730Z"))).toBe("261207183005700+");
    expect(smppAbsoluteTime(new Date("2027-01-02T03:04:05.678Z"))).toBe("270102030405600+");
    for (const iso of ["2026-01-02T03:04:05.000Z", "2031-12-31T23:59:59.900Z"]) {
      expect(readSmppTime(smppAbsoluteTime(new Date(iso)), now)).toBe(iso);
    }
  });
});
