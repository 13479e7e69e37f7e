import { describe, expect, it } from "vitest";
import { BACKLOG_LIMIT_MS, backlogRetryDelayMs, MIN_BACKLOG_PARTS, roomFor } from "./backlog.ts";

describe("a carrier link's room for more parts", () => {
  it("when the carrier is capped at 10 a second, it holds what goes out within the limit, and at least the minimum", () => {
    expect(roomFor({ pendingParts: 0, ratePerSec: 10 })).toBe(MIN_BACKLOG_PARTS);
    expect(roomFor({ pendingParts: 450, ratePerSec: 10 })).toBe(50);
    expect(roomFor({ pendingParts: 6_400, ratePerSec: 10 })).toBe(0);
  });

  it("when the carrier is fast, its room grows with its rate", () => {
    expect(roomFor({ pendingParts: 300, ratePerSec: 1_500 })).toBe(
      (1_500 * BACKLOG_LIMIT_MS) / 1000 - 300,
    );
  });

  it("when orders wait for room, they come back after about half the backlog's drain, between 1 and 30 s", () => {
    expect(backlogRetryDelayMs({ pendingParts: 600, ratePerSec: 10 })).toBe(30_000);
    expect(backlogRetryDelayMs({ pendingParts: 100, ratePerSec: 10 })).toBe(5_000);
    expect(backlogRetryDelayMs({ pendingParts: 10, ratePerSec: 1_000 })).toBe(1_000);
    expect(backlogRetryDelayMs({ pendingParts: 10, ratePerSec: 0 })).toBe(5_000);
  });
});
