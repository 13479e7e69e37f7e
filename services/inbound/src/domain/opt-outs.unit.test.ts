import { describe, expect, it } from "vitest";
import { optOutChangeOf } from "./opt-outs.ts";

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
