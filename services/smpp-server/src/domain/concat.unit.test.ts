import { describe, expect, it } from "vitest";
import { groupKeyOf, partProblem, registeredDeliveryOfParts, wholeMessage } from "./concat.ts";

const key = { from: "MyApp", to: "+37256789045" };

describe("joining concatenated submits", () => {
  it("a part numbered outside 1..total belongs to no message", () => {
    expect(partProblem({ ref: 7, total: 3, seq: 1 })).toBeNull();
    expect(partProblem({ ref: 7, total: 3, seq: 3 })).toBeNull();
    expect(partProblem({ ref: 7, total: 3, seq: 0 })).toBe("part 0 of 3");
    expect(partProblem({ ref: 7, total: 3, seq: 4 })).toBe("part 4 of 3");
    expect(partProblem({ ref: 7, total: 0, seq: 0 })).toBe("part 0 of 0");
  });

  it("the same reference to another recipient, or with another total, is another message", () => {
    const part = { ref: 7, total: 2, seq: 1 };
    expect(groupKeyOf(key, part)).toBe(groupKeyOf(key, { ...part, seq: 2 }));
    expect(groupKeyOf(key, part)).not.toBe(groupKeyOf({ ...key, to: "+37256789046" }, part));
    expect(groupKeyOf(key, part)).not.toBe(groupKeyOf(key, { ...part, total: 3 }));
    expect(groupKeyOf(key, part)).not.toBe(groupKeyOf(key, { ...part, ref: 8 }));
  });

  it("once every part came, in any order, the message is whole in part order; not before", () => {
    expect(
      wholeMessage(3, [
        { seq: 3, value: "c" },
        { seq: 1, value: "a" },
      ]),
    ).toBeNull();
    expect(
      wholeMessage(3, [
        { seq: 3, value: "c" },
        { seq: 1, value: "a" },
        { seq: 2, value: "b" },
      ]),
    ).toEqual(["a", "b", "c"]);
  });
});

describe("the receipt a message of several parts asks for", () => {
  it.each([
    { parts: [1, 0], asks: 1, who: "the first part only (Kannel)" },
    { parts: [0, 0, 1], asks: 1, who: "the last part only" },
    { parts: [2, 1], asks: 1, who: "failures on one, every outcome on another" },
    { parts: [0, 2], asks: 2, who: "failures only on one" },
    { parts: [0, 0], asks: 0, who: "none" },
    { parts: [0x11, 0], asks: 0x11, who: "one with other bits set (kept as sent)" },
  ])("when $who asks, the message asks registered_delivery $asks", ({ parts, asks }) => {
    expect(registeredDeliveryOfParts(parts)).toBe(asks);
  });
});
