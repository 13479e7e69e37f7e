import { describe, expect, it } from "vitest";
import { createUnknownReceipts } from "./unknown-receipts.ts";

describe("unknown receipts", () => {
  it("when an id stays unknown across the carrier's retries, it is given up once dropAfterMs has passed since it was first seen", () => {
    const unknown = createUnknownReceipts(1_000);
    expect(unknown.giveUp("c\u0000ee", 0, 30)).toBe(false);
    expect(unknown.giveUp("c\u0000ee", 500, 530)).toBe(false);
    expect(unknown.giveUp("c\u0000ee", 1_000, 1_030)).toBe(true);
    // Given up: a later receipt for the id starts its own count.
    expect(unknown.giveUp("c\u0000ee", 1_100, 1_130)).toBe(false);
  });

  it("when one receipt alone waited past dropAfterMs (a long mapping wait), it is given up at once", () => {
    expect(createUnknownReceipts(1_000).giveUp("k", 0, 1_000)).toBe(true);
  });

  it("when the id was last seen long ago (the carrier stopped sending it), its count starts over", () => {
    const unknown = createUnknownReceipts(1_000);
    expect(unknown.giveUp("k", 0, 10)).toBe(false);
    expect(unknown.giveUp("k", 5_000, 5_010)).toBe(false);
    expect(unknown.giveUp("k", 6_000, 6_010)).toBe(true);
  });

  it("when more ids are unknown than it keeps, the oldest are forgotten", () => {
    const unknown = createUnknownReceipts(1_000, 2);
    for (const key of ["a", "b", "c"]) unknown.giveUp(key, 0, 10);
    expect(unknown.size).toBe(2);
    expect(unknown.giveUp("a", 1_500, 1_510)).toBe(false);
    expect(unknown.giveUp("c", 1_500, 1_510)).toBe(true);
  });
});
