import { describe, expect, it } from "vitest";
import { speedProbeLine } from "./speed-probe.ts";

describe("speedProbeLine", () => {
  it("when steps carry their probe, it lists each step's, rounded, in order", () => {
    const line = speedProbeLine([
      { label: "250", speedProbeMs: 21.4 },
      { label: "1000", speedProbeMs: 38.6 },
      { label: "3× saturation" },
    ]);
    expect(line).toMatch(/: 250 21, 1000 39\.\n$/);
  });

  it("when no step has one (a report from before the probe), it is empty", () => {
    expect(speedProbeLine([{ label: "250" }])).toBe("");
  });
});
