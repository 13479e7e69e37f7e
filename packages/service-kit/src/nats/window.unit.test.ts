import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./consumer.ts";
import { createWindow } from "./window.ts";

describe("publish window", () => {
  it("when more tasks than the limit run, no more than the limit are in flight", async () => {
    const window = createWindow(3);
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        window.run(async () => {
          peak = Math.max(peak, window.inFlight);
          await new Promise((r) => setTimeout(r, 2));
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(window.inFlight).toBe(0);
  });
});

describe("retry delay", () => {
  it("when deliveries repeat, the delay doubles and is capped at 30 s", () => {
    expect([1, 2, 3, 10].map(retryDelayMs)).toEqual([500, 1000, 2000, 30_000]);
  });
});
