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
    book.finished(A, { failed: false, now: 10 });
    expect(book.freeSlots(A, 10)).toBe(1);
    expect(book.limited(10)).toEqual({ origins: [A], free: [1] });
  });

  it("when an origin is idle and healthy, it is forgotten (memory follows origins in use)", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 60_000 });
    book.started(A);
    book.finished(A, { failed: false, now: 0 });
    expect(book.size).toBe(0);
    expect(book.limited(0)).toEqual({ origins: [], free: [] });
  });
});

describe("per-origin back-off", () => {
  it("when an origin fails, it takes nothing until its back-off ends, which doubles per failure up to the cap", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 3_000 });
    book.started(A);
    expect(book.finished(A, { failed: true, now: 0 })).toBe(1_000);
    expect(book.freeSlots(A, 999)).toBe(0);
    expect(book.inspect(A, 999)).toEqual({ inFlight: 0, blocked: true, share: 0 });
    expect(book.freeSlots(A, 1_000)).toBe(1); // the probe
    expect(book.freeSlots(B, 500)).toBe(4);
    book.started(A);
    expect(book.finished(A, { failed: true, now: 1_000 })).toBe(3_000);
    book.started(A);
    expect(book.finished(A, { failed: true, now: 3_000 })).toBe(6_000); // capped at 3 s
  });

  it("when a failing receiver says Retry-After, its origin backs off at least that long, up to the cap", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000 });
    book.started(A);
    expect(book.finished(A, { failed: true, now: 0, retryAfterMs: 20_000 })).toBe(20_000);
    expect(book.freeSlots(A, 19_999)).toBe(0);
    book.started(A);
    // Already backing off: a later answer asking for longer extends it, to the cap at most.
    expect(book.finished(A, { failed: true, now: 1_000, retryAfterMs: 120_000 })).toBe(61_000);
    book.started(B);
    expect(book.finished(B, { failed: true, now: 0, retryAfterMs: 200 })).toBe(1_000);
  });

  it("when attempts in flight together all fail, the back-off grows by one step, not one per attempt", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000 });
    for (let i = 0; i < 4; i++) book.started(A);
    expect(book.finished(A, { failed: true, now: 0 })).toBe(1_000);
    expect(book.finished(A, { failed: true, now: 5 })).toBeNull();
    expect(book.finished(A, { failed: true, now: 6 })).toBeNull();
    expect(book.finished(A, { failed: true, now: 7 })).toBeNull();
    book.started(A);
    expect(book.finished(A, { failed: true, now: 1_000 })).toBe(3_000);
  });

  it("when a failed origin answers again, its back-off is cleared", () => {
    const book = createOriginBook({ concurrency: 1, capMs: 60_000 });
    book.started(A);
    book.finished(A, { failed: true, now: 0 });
    book.started(A);
    book.finished(A, { failed: false, now: 1_000 });
    expect(book.freeSlots(A, 1_000)).toBe(1);
    expect(book.size).toBe(0);
  });

  it("when jitter is drawn, the back-off grows by at most 20 %", () => {
    const book = createOriginBook({ concurrency: 1, capMs: 60_000 });
    book.started(A);
    expect(book.finished(A, { failed: true, now: 0, random: 0.999 })).toBe(1_200);
  });
});

describe("an origin coming out of a back-off", () => {
  it("when its back-off ends, one probe attempt goes first; while it runs or after it fails, nothing more; once one succeeds, the full share", () => {
    const book = createOriginBook({ concurrency: 32, capMs: 60_000 });
    book.started(A);
    book.finished(A, { failed: true, now: 0 });
    expect(book.freeSlots(A, 1_000)).toBe(1);
    expect(book.limited(1_000)).toEqual({ origins: [A], free: [1] });
    book.started(A);
    expect(book.freeSlots(A, 1_000)).toBe(0);
    // The probe fails: a longer back-off, then again a single probe.
    expect(book.finished(A, { failed: true, now: 1_100 })).toBe(3_100);
    expect(book.freeSlots(A, 3_100)).toBe(1);
    book.started(A);
    book.finished(A, { failed: false, now: 3_200 });
    expect(book.freeSlots(A, 3_200)).toBe(32);
  });
});

describe("slow origins", () => {
  it("when an origin's attempt took longer than the budget, it gets a few slots until one ends within it", () => {
    const book = createOriginBook({ concurrency: 32, capMs: 60_000 });
    for (let i = 0; i < 32; i++) book.started(A);
    book.finished(A, { failed: false, now: 3_000, slow: true });
    // 31 still in flight, over the slow share (4): none may start.
    expect(book.freeSlots(A, 3_000)).toBe(0);
    expect(book.inspect(A, 3_000).share).toBe(4);
    for (let i = 0; i < 28; i++) book.finished(A, { failed: false, now: 3_001, slow: true });
    expect(book.freeSlots(A, 3_001)).toBe(1);
    // Idle and slow: still remembered as slow.
    for (let i = 0; i < 3; i++) book.finished(A, { failed: false, now: 3_002, slow: true });
    expect(book.freeSlots(A, 3_002)).toBe(4);
    book.started(A);
    book.finished(A, { failed: false, now: 3_010 });
    expect(book.freeSlots(A, 3_010)).toBe(32);
    expect(book.size).toBe(0);
  });

  it("when several origins are slow, together they hold at most their total, and a healthy origin still has its share", () => {
    const book = createOriginBook({ concurrency: 8, capMs: 60_000, slowShare: 2, slowTotal: 5 });
    const slow = ["http://s1.example", "http://s2.example", "http://s3.example"];
    for (const origin of slow) {
      book.started(origin);
      book.finished(origin, { failed: false, now: 0, slow: true });
    }
    const started = slow.map((origin) => {
      let n = 0;
      while (book.freeSlots(origin, 0) > 0) {
        book.started(origin);
        n++;
      }
      return n;
    });
    expect(started).toEqual([2, 2, 1]);
    expect(book.freeSlots(B, 0)).toBe(8);
  });
});

describe("an origin's slots grow with its demand", () => {
  const growing = () =>
    createOriginBook({ concurrency: 4, maxConcurrency: 10, growWithinMs: 500, capMs: 60_000 });
  /** Fills the origin's free slots and ends one attempt after `latencyMs`; returns its share then. */
  const fullRound = (book: ReturnType<typeof growing>, latencyMs: number, now: number) => {
    while (book.freeSlots(A, now) > 0) book.started(A);
    book.finished(A, { failed: false, now, latencyMs });
    return book.inspect(A, now).share;
  };

  it("when every slot is busy and an attempt ends within the bound, it gets one more slot, up to the most allowed", () => {
    const book = growing();
    const shares = Array.from({ length: 8 }, (_, i) => fullRound(book, 40, i));
    expect(shares).toEqual([5, 6, 7, 8, 9, 10, 10, 10]);
  });

  it("when its slots are not all busy, a fast answer earns nothing: growth follows demand", () => {
    const book = growing();
    book.started(A);
    book.started(A);
    book.finished(A, { failed: false, now: 0, latencyMs: 10 });
    expect(book.inspect(A, 0).share).toBe(4);
  });

  it("when an attempt answers slower than the bound, it gives a quarter of its slots back, once per round of them, never under the start", () => {
    const book = growing();
    for (let i = 0; i < 6; i++) fullRound(book, 40, i);
    expect(book.inspect(A, 6).share).toBe(10);
    expect(fullRound(book, 900, 7)).toBe(7);
    // The 9 still in flight ran under the larger share: their slow ends take nothing more.
    for (let i = 0; i < 9; i++) book.finished(A, { failed: false, now: 8, latencyMs: 900 });
    expect(book.inspect(A, 8).share).toBe(7);
    expect(fullRound(book, 900, 9)).toBe(5);
    for (let i = 0; i < 6; i++) book.finished(A, { failed: false, now: 10, latencyMs: 900 });
    expect(fullRound(book, 900, 11)).toBe(4);
  });

  it("when the attempts in flight are over a share just cut, their fast ends do not grow it back", () => {
    const book = growing();
    for (let i = 0; i < 6; i++) fullRound(book, 40, i);
    book.finished(A, { failed: true, now: 6 });
    // 8 still in flight against a share of 4 again: they end fast, it stays at 4.
    for (let i = 0; i < 8; i++) book.finished(A, { failed: false, now: 7, latencyMs: 10 });
    expect(book.inspect(A, 7).share).toBe(4);
  });

  it("when a grown origin turns slow, it starts over: back from slow, it has its first share", () => {
    const book = growing();
    for (let i = 0; i < 6; i++) fullRound(book, 40, i);
    book.finished(A, { failed: false, now: 6, slow: true, latencyMs: 3_000 });
    while (book.inspect(A, 7).inFlight > 0) book.finished(A, { failed: false, now: 7 });
    book.started(A);
    book.finished(A, { failed: false, now: 8, latencyMs: 10 });
    expect(book.inspect(A, 8).share).toBe(4);
  });

  it("when it fails, it starts over at its first share once its back-off ends", () => {
    const book = growing();
    for (let i = 0; i < 6; i++) fullRound(book, 40, i);
    while (book.inspect(A, 6).inFlight > 1) book.finished(A, { failed: false, now: 6 });
    expect(book.inspect(A, 6).share).toBe(10);
    book.finished(A, { failed: true, now: 10 });
    book.started(A);
    book.finished(A, { failed: false, now: 2_000, latencyMs: 40 });
    expect(book.inspect(A, 2_000).share).toBe(4);
  });

  it("when a grown origin is idle between batches it keeps its slots; idle for a minute, it is forgotten", () => {
    const book = growing();
    for (let i = 0; i < 3; i++) fullRound(book, 40, i);
    while (book.inspect(A, 3).inFlight > 0) book.finished(A, { failed: false, now: 3 });
    expect(book.inspect(A, 3).share).toBe(7);
    expect(book.limited(30_000).origins).toEqual([]);
    expect(book.size).toBe(1);
    book.limited(70_000);
    expect(book.size).toBe(0);
    expect(book.inspect(A, 70_000).share).toBe(4);
  });

  it("when no most is set, the share never grows", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000 });
    for (let i = 0; i < 5; i++) fullRound(book, 10, i);
    expect(book.inspect(A, 5).share).toBe(4);
  });
});
