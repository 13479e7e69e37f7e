import { describe, expect, it } from "vitest";
import { createRecent } from "./recent.ts";

describe("createRecent", () => {
  it("when under capacity, it lists everything oldest first", () => {
    const recent = createRecent<number>(3);
    recent.push(1);
    recent.push(2);
    expect(recent.list()).toEqual([1, 2]);
  });

  it("when over capacity, the oldest go first", () => {
    const recent = createRecent<number>(3);
    for (let i = 1; i <= 7; i++) recent.push(i);
    expect(recent.list()).toEqual([5, 6, 7]);
    expect(recent.size).toBe(3);
  });
});
