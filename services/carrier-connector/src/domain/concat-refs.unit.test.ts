import { describe, expect, it } from "vitest";
import { createConcatRefs } from "./concat-refs.ts";

describe("concatenation references", () => {
  it("when messages follow one another to one handset, each takes the next reference: 256 in a row share no udh8 byte, whatever went elsewhere between", () => {
    let draws = 0;
    const refFor = createConcatRefs(() => [41_000, 7, 9][draws++] ?? 0);
    const refs: number[] = [];
    for (let i = 0; i < 256; i++) {
      refs.push(refFor("+37256789045"));
      refFor("+37250000001");
      refFor(`+3725${i}`);
    }
    expect(refs.slice(0, 3)).toEqual([41_000, 41_001, 41_002]);
    expect(new Set(refs.map((ref) => ref & 0xff)).size).toBe(256);
  });

  it("when a handset's references reach 65,535, they wrap to 0", () => {
    const refFor = createConcatRefs(() => 65_535);
    expect([refFor("+1"), refFor("+1"), refFor("+1")]).toEqual([65_535, 0, 1]);
  });

  it("when more destinations were sent to than it keeps, the least recent is forgotten and starts again at random", () => {
    const refFor = createConcatRefs(() => 100, 2);
    refFor("+1");
    refFor("+2");
    refFor("+1"); // +1 is now the most recent
    refFor("+3"); // forgets +2
    expect(refFor("+1")).toBe(102);
    expect(refFor("+2")).toBe(100);
  });
});
