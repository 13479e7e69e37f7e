import { describe, expect, it } from "vitest";
import { countRefusals, cpuPerRefused, overloadFigures, shareWithin } from "./overload-stats.ts";

describe("overload figures", () => {
  it("when answers are timed, it gives the share within the limit, the limit included", () => {
    expect(shareWithin([10, 200, 201, 5_000], 200)).toBe(0.5);
    expect(shareWithin([], 200)).toBeNaN();
  });

  it("when answers are filed by status, 429s are refusals and 5xx or lost connections failures", () => {
    expect(
      countRefusals({
        "429 rate_limit": 7,
        "500 server_error": 2,
        connection: 1,
        "200 low_balance": 3,
      }),
    ).toEqual({ refused: 7, failed: 3 });
  });

  it("when the step's CPU is known, a refusal's share is what the accepted messages did not use", () => {
    expect(cpuPerRefused(1_000, 100, 4_000, 4)).toBeCloseTo(0.15);
    expect(cpuPerRefused(1_000, 100, 0, 4)).toBeNaN();
  });

  it("when a charge has no success and no server error explains it, a refused request was charged", () => {
    const base = {
      sent: 100,
      accepted: 40,
      errors: { "429 rate_limit": 60 },
      latenciesMs: Array.from({ length: 100 }, () => 20),
      acceptedNotFinal: 0,
      cpuMs: 500,
      cpuMsPerAccepted: 5,
    };
    expect(overloadFigures({ ...base, chargedNotAccepted: 0 }).verdict).toEqual({
      answersFast: true,
      everyAcceptedFinal: true,
      noRefusedCharged: true,
    });
    expect(overloadFigures({ ...base, chargedNotAccepted: 1 }).verdict.noRefusedCharged).toBe(
      false,
    );
    expect(overloadFigures({ ...base, chargedNotAccepted: 0 }).shareRefused).toBe(0.6);
  });
});
