import { describe, expect, it } from "vitest";
import { claimRequest, type OriginInUse } from "./claim.ts";

const busy = (origin: string, over: Partial<OriginInUse> = {}): OriginInUse => ({
  origin,
  inFlight: 8,
  ready: 8,
  share: 8,
  blocked: false,
  ...over,
});

describe("what the scheduler claims", () => {
  it("when there is room, each origin may take PREFETCH × its share less what it runs and holds; a backing-off one nothing", () => {
    expect(
      claimRequest({
        concurrency: 32,
        perOrigin: 8,
        running: 10,
        origins: [
          busy("http://a", { inFlight: 8, ready: 2 }),
          busy("http://slow", { share: 1, inFlight: 1, ready: 0 }),
          busy("http://down", { blocked: true, share: 0, inFlight: 0, ready: 0 }),
        ],
      }),
    ).toEqual({
      limit: 64 - 10 - 2,
      perOrigin: 32,
      limited: { origins: ["http://a", "http://slow", "http://down"], free: [22, 3, 0] },
    });
  });

  it("when origins with jobs waiting fill the room, origins with nothing waiting still get a reserve", () => {
    const origins = ["http://s1", "http://s2", "http://s3", "http://s4"].map((o) => busy(o));
    expect(claimRequest({ concurrency: 32, perOrigin: 8, running: 32, origins })).toEqual({
      limit: 4,
      perOrigin: 32,
      limited: { origins: origins.map((o) => o.origin), free: [0, 0, 0, 0] },
    });
  });

  it("when the reserve is used up too, nothing is claimed (memory stays bounded)", () => {
    const origins = ["http://s1", "http://s2", "http://s3", "http://s4"].map((o) => busy(o));
    origins.push(busy("http://healthy", { inFlight: 0, ready: 4 }));
    expect(claimRequest({ concurrency: 32, perOrigin: 8, running: 32, origins })).toBeNull();
  });

  it("when an origin's share grew, it still waits with at most PREFETCH × the first share (the room is everyone's)", () => {
    const request = claimRequest({
      concurrency: 256,
      perOrigin: 32,
      running: 128,
      origins: [busy("http://grown", { share: 128, inFlight: 128, ready: 100 })],
    });
    expect(request?.limited).toEqual({ origins: ["http://grown"], free: [28] });
  });
});
