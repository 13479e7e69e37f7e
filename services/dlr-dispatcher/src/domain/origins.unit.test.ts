import { describe, expect, it } from "vitest";
import { createOriginBook } from "./origins.ts";

const A = "http://a.example";
const B = "http://b.example";

describe("per-origin concurrency", () => {
  it("when an origin has its share in flight, it takes no more while others still take theirs", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 60_000 });
    book.started(A);
    book.started(A);
    expect(book.freeSlots(A, 0)).toBe(0);
    expect(book.freeSlots(B, 0)).toBe(2);
    expect(book.limited(0)).toEqual({ origins: [A], free: [0] });
    book.finished(A, false, 10);
    expect(book.freeSlots(A, 10)).toBe(1);
    expect(book.limited(10)).toEqual({ origins: [A], free: [1] });
  });

  it("when an origin is idle and healthy, it is forgotten (memory follows origins in use)", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 60_000 });
    book.started(A);
    book.finished(A, false, 0);
    expect(book.size).toBe(0);
    expect(book.limited(0)).toEqual({ origins: [], free: [] });
  });
});

describe("per-origin back-off", () => {
  it("when an origin fails, it takes nothing until its back-off ends, which doubles per failure up to the cap", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 3_000 });
    book.started(A);
    expect(book.finished(A, true, 0)).toBe(1_000);
    expect(book.freeSlots(A, 999)).toBe(0);
    expect(book.inspect(A, 999)).toEqual({ inFlight: 0, blocked: true });
    expect(book.freeSlots(A, 1_000)).toBe(4);
    expect(book.freeSlots(B, 500)).toBe(4);
    book.started(A);
    expect(book.finished(A, true, 1_000)).toBe(3_000);
    book.started(A);
    expect(book.finished(A, true, 3_000)).toBe(6_000); // capped at 3 s
  });

  it("when a failing receiver says Retry-After, its origin backs off at least that long, up to the cap", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000 });
    book.started(A);
    expect(book.finished(A, true, 0, 0, 20_000)).toBe(20_000);
    expect(book.freeSlots(A, 19_999)).toBe(0);
    book.started(A);
    // Already backing off: a later answer asking for longer extends it, to the cap at most.
    expect(book.finished(A, true, 1_000, 0, 120_000)).toBe(61_000);
    book.started(B);
    expect(book.finished(B, true, 0, 0, 200)).toBe(1_000);
  });

  it("when attempts in flight together all fail, the back-off grows by one step, not one per attempt", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000 });
    for (let i = 0; i < 4; i++) book.started(A);
    expect(book.finished(A, true, 0)).toBe(1_000);
    expect(book.finished(A, true, 5)).toBeNull();
    expect(book.finished(A, true, 6)).toBeNull();
    expect(book.finished(A, true, 7)).toBeNull();
    book.started(A);
    expect(book.finished(A, true, 1_000)).toBe(3_000);
  });

  it("when a failed origin answers again, its back-off is cleared", () => {
    const book = createOriginBook({ concurrency: 1, capMs: 60_000 });
    book.started(A);
    book.finished(A, true, 0);
    book.started(A);
    book.finished(A, false, 1_000);
    expect(book.freeSlots(A, 1_000)).toBe(1);
    expect(book.size).toBe(0);
  });

  it("when jitter is drawn, the back-off grows by at most 20 %", () => {
    const book = createOriginBook({ concurrency: 1, capMs: 60_000 });
    book.started(A);
    expect(book.finished(A, true, 0, 0.999)).toBe(1_200);
  });
});
