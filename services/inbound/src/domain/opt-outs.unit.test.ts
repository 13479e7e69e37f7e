import { describe, expect, it } from "vitest";
import { isLatestKeyword, optOutChangeOf } from "./opt-outs.ts";

describe("opt-out keywords", () => {
  it.each(["STOP", "stop", "  Stop \n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"])(
    "when the text is %j, the sender opts out",
    (text) => expect(optOutChangeOf(text)).toBe("stop"),
  );

  it.each(["START", " start ", "UNSTOP", "yes"])(
    "when the text is %j, the sender opts back in",
    (text) => expect(optOutChangeOf(text)).toBe("start"),
  );

  it.each(["please stop", "STOP!", "", "STOPP", "yes please"])(
    "when the text is %j (not exactly a keyword), nothing changes",
    (text) => expect(optOutChangeOf(text)).toBeNull(),
  );
});

describe("the order of a sender's keywords", () => {
  const at = "2026-12-07T12:00:00.000Z";
  const later = "2026-12-07T12:00:01.000Z";
  const mine = { id: "in_b", receivedAt: at };

  it("a keyword that came later decides; one that came earlier, or the message itself, does not", () => {
    expect(isLatestKeyword(mine, [{ ...mine, text: "STOP" }])).toBe(true);
    expect(isLatestKeyword(mine, [{ id: "in_c", receivedAt: later, text: "START" }])).toBe(false);
    expect(isLatestKeyword(mine, [{ id: "in_c", receivedAt: later, text: "stop" }])).toBe(false);
  });

  it("a later message that is no keyword changes nothing", () => {
    expect(isLatestKeyword(mine, [{ id: "in_c", receivedAt: later, text: "thanks" }])).toBe(true);
  });

  it("a tie of the same millisecond goes to the greater id", () => {
    expect(isLatestKeyword(mine, [{ id: "in_a", receivedAt: at, text: "START" }])).toBe(true);
    expect(isLatestKeyword(mine, [{ id: "in_c", receivedAt: at, text: "START" }])).toBe(false);
  });
});
