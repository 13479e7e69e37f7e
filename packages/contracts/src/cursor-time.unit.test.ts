import { describe, expect, it } from "vitest";
import { isRealCursorTime } from "./cursor-time.ts";

describe("isRealCursorTime", () => {
  it.each([
    "2026-12-07T06:22:17.052Z",
    "2026-12-07T06:22:17.052123Z",
    "2024-02-29T23:59:59.999Z",
    "2000-02-29T00:00:00.000Z",
    "0001-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999999Z",
  ])("when the time %s is real, it is taken", (text) => {
    expect(isRealCursorTime(text)).toBe(true);
  });

  it.each([
    ["2026-13-01T00:00:00.000Z", "month 13"],
    ["2026-00-10T00:00:00.000Z", "month 0"],
    ["2026-02-29T00:00:00.000Z", "29 February of a common year"],
    ["1900-02-29T00:00:00.000Z", "29 February of a century that is not a leap year"],
    ["2026-04-31T00:00:00.000Z", "31 April"],
    ["2026-01-00T00:00:00.000Z", "day 0"],
    ["0000-01-01T00:00:00.000Z", "the year 0, which Postgres does not have"],
    ["2026-01-01T24:00:00.000Z", "hour 24"],
    ["2026-01-01T23:60:00.000Z", "minute 60"],
    ["2026-01-01T23:59:60.000Z", "a leap second"],
    ["not a time", "no time at all"],
  ])("when the time %s is not real (%s), it is refused", (text) => {
    expect(isRealCursorTime(text)).toBe(false);
  });
});
