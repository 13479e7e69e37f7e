import { describe, expect, it } from "vitest";
import {
  createTpsWindow,
  decideSubmit,
  drawDelay,
  type Profile,
  receiptIdFor,
} from "./behaviour.ts";

const base: Profile = { prefix: "", stat: "DELIVRD", err: "000", commandStatus: 0 };
const draws = (...values: number[]) => {
  const queue = [...values];
  return () => queue.shift() ?? 0;
};

describe("decideSubmit", () => {
  it("when the prefix has a fixed command_status, the submit is refused with it", () => {
    expect(decideSubmit({ ...base, commandStatus: 0x0b }, 10, draws())).toEqual({
      kind: "refuse",
      commandStatus: 0x0b,
    });
  });

  it("when a submit error's rate covers the draw, that error is the answer", () => {
    const profile = {
      ...base,
      submitErrors: [
        { commandStatus: 0x58, rate: 0.1 },
        { commandStatus: 0x14, rate: 0.2 },
      ],
    };
    expect(decideSubmit(profile, 0, draws(0.05))).toMatchObject({ commandStatus: 0x58 });
    expect(decideSubmit(profile, 0, draws(0.25))).toMatchObject({ commandStatus: 0x14 });
    expect(decideSubmit(profile, 0, draws(0.5))).toMatchObject({ kind: "accept" });
  });

  it("when receipts are weighted, the draw picks by weight and 'none' sends no receipt", () => {
    const profile: Profile = {
      ...base,
      receipts: [
        { stat: "DELIVRD", err: "000", weight: 3 },
        { stat: "UNDELIV", err: "001", weight: 1 },
        { stat: "none", err: "000", weight: 1 },
      ],
    };
    // draws: delay (fixed, unused), receipt choice
    expect(decideSubmit(profile, 5, draws(0.1))).toEqual({
      kind: "accept",
      receipt: { stat: "DELIVRD", err: "000" },
      delayMs: 5,
    });
    expect(decideSubmit(profile, 5, draws(0.65))).toMatchObject({
      receipt: { stat: "UNDELIV", err: "001" },
    });
    expect(decideSubmit(profile, 5, draws(0.9))).toMatchObject({ receipt: null });
  });

  it("when a delay is a range, it is drawn uniformly within it", () => {
    expect(drawDelay({ minMs: 100, maxMs: 200 }, () => 0)).toBe(100);
    expect(drawDelay({ minMs: 100, maxMs: 200 }, () => 0.5)).toBe(150);
    expect(decideSubmit({ ...base, receiptDelayMs: 7 }, 1000, draws())).toMatchObject({
      delayMs: 7,
    });
  });
});

describe("createTpsWindow", () => {
  it("admits `tps` submits a second and refuses the rest until the next second", () => {
    const window = createTpsWindow();
    const admitted = [0, 10, 20, 30].map((t) => window.admit(t, 3));
    expect(admitted).toEqual([true, true, true, false]);
    expect(window.admit(1000, 3)).toBe(true);
    expect(window.admit(1001, 0)).toBe(true);
  });
});

describe("receiptIdFor", () => {
  it("writes the receipt's id in another base when asked", () => {
    expect(receiptIdFor("0000001a", "hex", "decimal")).toBe("26");
    expect(receiptIdFor("26", "decimal", "hex")).toBe("1a");
    expect(receiptIdFor("0000001a", "hex", "same")).toBe("0000001a");
  });
});
