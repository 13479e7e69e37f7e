import { describe, expect, it } from "vitest";
import { DEFAULT_OUTCOMES, DELIVERED, outcomeFor, wantsReceipt } from "./outcomes.ts";

describe("outcomeFor", () => {
  it("when a destination matches no prefix, it is delivered", () => {
    expect(outcomeFor(DEFAULT_OUTCOMES, "37256789045")).toBe(DELIVERED);
  });

  it("when destinations arrive as digits, they match the E.164 prefixes", () => {
    expect(outcomeFor(DEFAULT_OUTCOMES, "3725550123").stat).toBe("UNDELIV");
    expect(outcomeFor(DEFAULT_OUTCOMES, "+3725551123").stat).toBe("EXPIRED");
  });

  it("when several prefixes match, the longest wins", () => {
    const outcomes = [
      { prefix: "+372", stat: "REJECTD" as const, err: "002", commandStatus: 0 },
      { prefix: "+37255", stat: "UNDELIV" as const, err: "001", commandStatus: 0 },
      { prefix: "+3", stat: "EXPIRED" as const, err: "000", commandStatus: 0 },
    ];
    expect(outcomeFor(outcomes, "37255000").stat).toBe("UNDELIV");
    expect(outcomeFor(outcomes, "37256000").stat).toBe("REJECTD");
    expect(outcomeFor(outcomes, "31000").stat).toBe("EXPIRED");
  });
});

describe("wantsReceipt", () => {
  it("when registered_delivery is 0, no receipt is sent", () => {
    expect(wantsReceipt(0, "DELIVRD")).toBe(false);
  });
  it("when it is 1, a receipt is sent for any outcome", () => {
    expect(wantsReceipt(1, "DELIVRD")).toBe(true);
    expect(wantsReceipt(0x11, "UNDELIV")).toBe(true);
  });
  it("when it is 2, only failures get a receipt", () => {
    expect(wantsReceipt(2, "DELIVRD")).toBe(false);
    expect(wantsReceipt(2, "EXPIRED")).toBe(true);
  });
});
