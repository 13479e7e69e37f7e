import { describe, expect, it } from "vitest";
import { companyExpected, createArrivalRate } from "./arrival-rate.ts";

describe("arrival rate", () => {
  it("when items arrive steadily, the rate is about their count per second", () => {
    const whole = createArrivalRate();
    for (let ms = 0; ms < 3_000; ms += 4) whole.note(ms);
    expect(whole.perSecond(3_000)).toBeCloseTo(250, -1);
    const halfway = createArrivalRate();
    for (let ms = 0; ms < 2_500; ms += 4) halfway.note(ms);
    expect(halfway.perSecond(2_500)).toBeCloseTo(250, -1);
  });

  it("when nothing arrived for more than a second, the rate is zero", () => {
    const rate = createArrivalRate();
    rate.note(100, 500);
    expect(rate.perSecond(900)).toBe(500);
    expect(rate.perSecond(1_500)).toBe(250);
    expect(rate.perSecond(2_100)).toBe(0);
  });

  it("waits for company only when at least one more item is expected within the window", () => {
    expect(companyExpected(250, 10)).toBe(true);
    expect(companyExpected(50, 10)).toBe(false);
    expect(companyExpected(100, 10)).toBe(true);
    expect(companyExpected(10_000, 0)).toBe(false);
  });
});
