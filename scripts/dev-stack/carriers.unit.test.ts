import { describe, expect, it } from "vitest";
import { LOCAL_CARRIERS, unflaggedSimulators } from "./carriers.ts";

describe("the local stack's carriers", () => {
  it("are all flagged as simulators", () => {
    expect(LOCAL_CARRIERS.map((c) => [c.id, c.simulated])).toEqual([
      ["sim-a", true],
      ["sim-b", true],
    ]);
  });

  it("when a stored local simulator lacks the flag, it is listed; flagged or repointed ones are not", () => {
    const stored = [
      { id: "sim-a", host: "127.0.0.1", port: 2775 },
      { id: "sim-b", host: "127.0.0.1", port: 2776, simulated: true },
      { id: "acme", host: "10.0.0.5", port: 2775, simulated: false },
    ];
    expect(unflaggedSimulators(stored)).toEqual(["sim-a"]);
    expect(unflaggedSimulators([{ id: "sim-a", host: "smsc.example", port: 2775 }])).toEqual([]);
  });
});
