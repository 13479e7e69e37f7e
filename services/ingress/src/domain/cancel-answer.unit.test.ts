import { describe, expect, it } from "vitest";
import { cancelRefusal } from "./cancel-answer.ts";

describe("cancelRefusal", () => {
  it("when the message is canceled (now or before), there is no refusal", () => {
    expect(cancelRefusal({ kind: "canceled" })).toBeNull();
  });

  it("when the message is not the account's, it is not found, saying no more", () => {
    expect(cancelRefusal({ kind: "not_found" })).toEqual({
      status: "not_found",
      message: "no such message",
    });
  });

  it("when it is not cancelable, it is message_not_cancelable with the reason in words", () => {
    expect(cancelRefusal({ kind: "not_cancelable", reason: "on_its_way" })).toEqual({
      status: "message_not_cancelable",
      message: "the message is on its way: only a message waiting for its sendAt can be canceled",
    });
  });

  it("when routing does not hold it yet or does not answer, it is a server_error saying to ask again", () => {
    for (const outcome of [
      { kind: "not_held_yet" } as const,
      { kind: "unanswered", error: new Error("no responders") } as const,
    ]) {
      const refusal = cancelRefusal(outcome);
      expect(refusal?.status).toBe("server_error");
      expect(refusal?.message).toMatch(/retry|ask again/);
    }
  });
});
