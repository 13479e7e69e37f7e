import { describe, expect, it } from "vitest";
import { barsOf, dailyChart, lastDays } from "./chart.ts";

describe("the daily chart", () => {
  it("when asked for the last days, it answers them oldest first across a month end", () => {
    expect(lastDays("2026-12-02", 4)).toEqual([
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
    ]);
  });

  it("when a day has no messages, it still has a bar; each status is a rect with its count", () => {
    const bars = barsOf(
      ["2026-11-24", "2026-11-25"],
      [
        { day: "2026-11-25", status: "delivered", count: 3 },
        { day: "2026-11-25", status: "failed", count: 1 },
        { day: "2026-10-01", status: "failed", count: 9 },
      ],
    );
    expect(bars).toEqual([
      { day: "2026-11-24", counts: {} },
      { day: "2026-11-25", counts: { delivered: 3, failed: 1 } },
    ]);
    const svg = dailyChart(bars).value;
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain("2026-11-25: 3 delivered");
    expect(svg).toContain('aria-label="Messages per day by status: 4 in 2 days"');
  });
});
