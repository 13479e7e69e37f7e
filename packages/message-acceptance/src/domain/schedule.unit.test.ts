import { describe, expect, it } from "vitest";
import { checkSchedule } from "./schedule.ts";

const NOW = Date.parse("2026-11-24T10:00:00Z");
const HOUR = 3_600_000;
const limits = { maxScheduleAheadMs: 7 * 24 * HOUR, maxValidityMs: 72 * HOUR };
const at = (ms: number) => new Date(ms).toISOString();
const check = (raw: { sendAt?: unknown; validUntil?: unknown }) => checkSchedule(raw, NOW, limits);
const why = (raw: { sendAt?: unknown; validUntil?: unknown }) => {
  const result = check(raw);
  return result.ok ? null : result.error.message;
};

describe("checkSchedule", () => {
  it("when neither is given, the message goes now with the carrier's validity", () => {
    expect(check({})).toEqual({ ok: true, value: { sendAt: null, validUntil: null } });
    expect(check({ sendAt: null, validUntil: null }).ok).toBe(true);
  });

  it("when times carry an offset, they come out in UTC", () => {
    expect(
      check({ sendAt: "2026-11-24T14:00:00+02:00", validUntil: "2026-11-24T13:30:00.5+01:00" }),
    ).toEqual({
      ok: true,
      value: { sendAt: "2026-11-24T12:00:00.000Z", validUntil: "2026-11-24T12:30:00.500Z" },
    });
  });

  it("when sendAt is in the past, it means now", () => {
    expect(check({ sendAt: at(NOW - HOUR) })).toEqual({
      ok: true,
      value: { sendAt: null, validUntil: null },
    });
  });

  it("when sendAt is exactly 7 days ahead it is accepted, a millisecond more is refused", () => {
    expect(check({ sendAt: at(NOW + limits.maxScheduleAheadMs) }).ok).toBe(true);
    expect(why({ sendAt: at(NOW + limits.maxScheduleAheadMs + 1) })).toBe(
      "sendAt is more than 168 hours ahead",
    );
  });

  it.each([
    ["tomorrow"],
    ["2026-11-24"],
    ["2026-11-24T10:00:00"],
    [1_732_442_400_000],
    ["2026-02-30T10:00:00Z"],
  ])("when sendAt is %j, it is invalid_params", (sendAt) => {
    expect(why({ sendAt })).toMatch(/^sendAt (must be an ISO 8601|is not a real)/);
  });

  it("when validUntil is not after now or sendAt, or too far after sending, it is refused saying which", () => {
    expect(why({ validUntil: at(NOW) })).toBe("validUntil is not in the future");
    expect(why({ sendAt: at(NOW + 2 * HOUR), validUntil: at(NOW + HOUR) })).toBe(
      "validUntil is not after sendAt",
    );
    expect(why({ validUntil: at(NOW + 72 * HOUR + 1) })).toBe(
      "validUntil is more than 72 hours after the sending time",
    );
    // 72 h counts from the scheduled sending time, not from now.
    expect(check({ sendAt: at(NOW + 24 * HOUR), validUntil: at(NOW + 96 * HOUR) }).ok).toBe(true);
  });
});
