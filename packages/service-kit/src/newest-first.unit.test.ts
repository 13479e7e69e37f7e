import { describe, expect, it } from "vitest";
import { setNewest } from "./newest-first.ts";

describe("setNewest", () => {
  it("when a key is set again it becomes the newest, and past the capacity the oldest goes", () => {
    const map = new Map<string, number>();
    setNewest(map, "a", 1, 2);
    setNewest(map, "b", 2, 2);
    setNewest(map, "a", 3, 2);
    setNewest(map, "c", 4, 2);
    expect([...map]).toEqual([
      ["a", 3],
      ["c", 4],
    ]);
  });
});
