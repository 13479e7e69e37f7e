import { describe, expect, it } from "vitest";
import { createOriginBook, slotsLeft } from "./origins.ts";

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

describe("the origins of one host", () => {
  const H = "https://hooks.example.com";
  /** Starts attempts on the path while it has a free slot; returns how many. */
  const fill = (book: ReturnType<typeof createOriginBook>, origin: string, now = 0) => {
    let n = 0;
    while (book.freeSlots(origin, now) > 0 && n < 1_000) {
      book.started(origin);
      n++;
    }
    return n;
  };

  it("when many paths of one host (the message id in the path) start attempts, together they hold at most the host's bound, each within its own share, and another host still has its full share", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000, hostConcurrency: 10 });
    const perPath = Array.from({ length: 100 }, (_, i) => fill(book, `${H}/dlr/msg_${i}`));
    expect(perPath.slice(0, 4)).toEqual([4, 4, 2, 0]);
    expect(perPath.reduce((sum, n) => sum + n, 0)).toBe(10);
    expect(book.freeSlots(`${H}/dlr/never-seen`, 0)).toBe(0);
    expect(book.inspect(`${H}/dlr/never-seen`, 0)).toMatchObject({ inFlight: 0, blocked: false });
    // Another host, or the same name on another port, is another host.
    expect(book.freeSlots("https://other.example/dlr", 0)).toBe(4);
    expect(book.freeSlots(`${H}:8443/dlr/msg_0`, 0)).toBe(4);
    expect(book.hosts).toBe(1);
  });

  it("when an attempt of the host ends, the slot it frees goes to any of its paths; once nothing is in flight, the host is forgotten", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000, hostConcurrency: 6 });
    fill(book, `${H}/a`);
    fill(book, `${H}/b`);
    expect(book.freeSlots(`${H}/c`, 0)).toBe(0);
    book.finished(`${H}/a`, { failed: false, now: 10 });
    expect(book.freeSlots(`${H}/c`, 10)).toBe(1);
    expect(book.freeSlots(`${H}/a`, 10)).toBe(1);
    for (let i = 0; i < 3; i++) book.finished(`${H}/a`, { failed: false, now: 10 });
    for (let i = 0; i < 2; i++) book.finished(`${H}/b`, { failed: false, now: 10 });
    expect(book.hosts).toBe(0);
    expect(book.size).toBe(0);
    expect(book.freeSlots(`${H}/c`, 10)).toBe(4);
  });

  it("when the host's paths time out and fail, each backs off on its own and the host takes new paths only up to its bound again", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000, hostConcurrency: 3 });
    const paths = Array.from({ length: 3 }, (_, i) => `${H}/dlr/msg_${i}`);
    for (const path of paths) book.started(path);
    expect(book.freeSlots(`${H}/dlr/msg_3`, 0)).toBe(0);
    for (const path of paths) book.finished(path, { failed: true, now: 5_000, slow: true });
    expect(paths.map((path) => book.inspect(path, 5_000).blocked)).toEqual([true, true, true]);
    const next = Array.from({ length: 10 }, (_, i) => fill(book, `${H}/dlr/next_${i}`, 5_000));
    expect(next.reduce((sum, n) => sum + n, 0)).toBe(3);
  });
});

describe("an endpoint's free slots (slotsLeft)", () => {
  it("when its host has room, it is what its own share leaves", () => {
    expect(slotsLeft({ share: 32, inFlight: 5, hostInFlight: 5, hostConcurrency: 128 })).toBe(27);
  });

  it("when its host is near or at its bound, it is what the host leaves, never below 0", () => {
    expect(slotsLeft({ share: 32, inFlight: 0, hostInFlight: 126, hostConcurrency: 128 })).toBe(2);
    expect(slotsLeft({ share: 32, inFlight: 0, hostInFlight: 128, hostConcurrency: 128 })).toBe(0);
    expect(slotsLeft({ share: 4, inFlight: 6, hostInFlight: 6, hostConcurrency: 128 })).toBe(0);
  });

  it("when it is slow, the slow origins' total left bounds it too", () => {
    const input = { share: 4, inFlight: 1, hostInFlight: 1, hostConcurrency: 128 };
    expect(slotsLeft({ ...input, slowRoom: 2 })).toBe(2);
    expect(slotsLeft({ ...input, slowRoom: -1 })).toBe(0);
  });
});

describe("what the book remembers", () => {
  it("when many endpoints failed or were slow once each (the message id in the path) and nothing was in flight for twice the cap, the book holds none of them", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 10_000 });
    for (let i = 0; i < 50; i++) {
      const path = `https://dead.example/dlr/msg_${i}`;
      book.started(path);
      book.finished(path, { failed: i % 2 === 0, now: 0, slow: true, latencyMs: 5_000 });
    }
    expect(book.size).toBe(50);
    // Within the window each is still what it was: backing off, probing, or slow.
    expect(book.limited(15_000).origins).toHaveLength(50);
    expect(book.inspect("https://dead.example/dlr/msg_1", 15_000).share).toBe(1);
    expect(book.size).toBe(50);
    expect(book.limited(20_001)).toEqual({ origins: [], free: [] });
    expect(book.size).toBe(0);
    expect(book.hosts).toBe(0);
  });

  it("when a failing endpoint keeps being attempted, it is remembered however long: its back-off stays at the cap", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 4_000 });
    let now = 0;
    let until: number | null = null;
    for (let i = 0; i < 12; i++) {
      book.limited(now);
      book.started(A);
      until = book.finished(A, { failed: true, now });
      now = until ?? now;
    }
    expect(now).toBeGreaterThan(3 * 2 * 4_000);
    book.started(A);
    expect(book.finished(A, { failed: true, now })).toBe(now + 4_000);
  });

  it("when a Retry-After or back-off is still running, the endpoint is not forgotten, however the window is set", () => {
    const book = createOriginBook({ concurrency: 4, capMs: 60_000, retainMs: 1_000 });
    book.started(A);
    book.finished(A, { failed: true, now: 0, retryAfterMs: 30_000 });
    book.limited(20_000);
    expect(book.inspect(A, 20_000).blocked).toBe(true);
    book.limited(31_001);
    expect(book.size).toBe(0);
  });
});

describe("late origins (the fast path's budget) and waiting in memory", () => {
  const H = "http://h.example";

  it("when an attempt outlasted the budget, its origin's reports may not wait for a slot until one ends within it; a path of the same host may, while the host has room", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 1_000, hostConcurrency: 3 });
    book.started(`${H}/1`);
    book.late(`${H}/1`, true, 0);
    expect(book.mayHold(`${H}/1`, 0)).toBe(false);
    expect(book.mayHold(`${H}/2`, 0)).toBe(true);
    book.started(`${H}/2`);
    book.started(`${H}/2`);
    // The host at its bound, with a late attempt: its slots free only as slowly.
    expect(book.mayHold(`${H}/3`, 0)).toBe(false);
    expect(book.mayHold("http://other.example/1", 0)).toBe(true);
    book.finished(`${H}/2`, { failed: false, now: 10 });
    book.late(`${H}/2`, false, 10);
    book.started(`${H}/2`);
    // At its bound again, but its last answer came in time.
    expect(book.mayHold(`${H}/3`, 10)).toBe(true);
    expect(book.mayHold(`${H}/1`, 10)).toBe(false);
    book.late(`${H}/1`, false, 10);
    expect(book.mayHold(`${H}/1`, 10)).toBe(true);
  });

  it("when a late origin is idle longer than the window, it is forgotten", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 1_000 });
    for (let i = 0; i < 20; i++) {
      const path = `${H}/msg_${i}`;
      book.started(path);
      book.late(path, true, 0);
      book.finished(path, { failed: false, now: 300, latencyMs: 300 });
    }
    expect(book.size).toBe(20);
    expect(book.mayHold(`${H}/msg_0`, 300)).toBe(false);
    book.limited(2_301);
    expect(book.size).toBe(0);
    expect(book.mayHold(`${H}/msg_0`, 2_301)).toBe(true);
  });

  it("when an origin backs off, its reports may not wait for a slot", () => {
    const book = createOriginBook({ concurrency: 2, capMs: 60_000 });
    book.started(A);
    book.finished(A, { failed: true, now: 0 });
    expect(book.mayHold(A, 500)).toBe(false);
    expect(book.mayHold(A, 1_000)).toBe(true);
  });
});
