import { describe, expect, it } from "vitest";
import { matchReceipt } from "./receipt-match.ts";

const WINDOW = 30_000;
const at = (iso: string) => new Date(`2026-12-01T${iso}Z`);
const holder = (messageId: string, submittedAt: string, final = false, part = 1) => ({
  messageId,
  part,
  final,
  submittedAt: at(submittedAt),
});

// Holders of one carrier id: yesterday's message, final long ago, and today's.
const old = holder("msg_01OLD", "09:00:00", true);
const current = holder("msg_02NEW", "10:00:00");

describe("matchReceipt", () => {
  it("when the id has one live holder, the receipt is its at once", () => {
    expect(matchReceipt([current], 0, WINDOW)).toEqual({ kind: "matched", holder: current });
  });

  it("when an old final holder and a new live one share the id, the receipt is the new one's, whatever their order", () => {
    expect(matchReceipt([old, current], 0, WINDOW)).toEqual({ kind: "matched", holder: current });
    expect(matchReceipt([current, old], 0, WINDOW)).toEqual({ kind: "matched", holder: current });
  });

  it("when the only holder is final, the receipt waits the early-receipt window (a new submit's id may be on its way), then is taken as said again", () => {
    expect(matchReceipt([old], 0, WINDOW)).toEqual({ kind: "wait" });
    expect(matchReceipt([old], WINDOW - 1, WINDOW)).toEqual({ kind: "wait" });
    expect(matchReceipt([old], WINDOW, WINDOW)).toEqual({ kind: "repeated", holder: old });
  });

  it("when the newest holder is final, an older live one is never matched: the carrier is done with it", () => {
    const forgotten = holder("msg_00LOST", "08:00:00");
    const finished = holder("msg_02NEW", "10:00:00", true);
    expect(matchReceipt([forgotten, finished], 0, WINDOW)).toEqual({ kind: "wait" });
    expect(matchReceipt([forgotten, finished], WINDOW, WINDOW)).toEqual({
      kind: "repeated",
      holder: finished,
    });
  });

  it("when two live holders share the id, the newer stored one takes the receipt", () => {
    const stale = holder("msg_01OLD", "09:00:00");
    expect(matchReceipt([current, stale], 0, WINDOW)).toEqual({ kind: "matched", holder: current });
  });

  it("when two holders were stored by one statement, the later accepted message (ULIDs sort by time) wins", () => {
    const earlier = holder("msg_01J0000000000000000000000A", "10:00:00");
    const later = holder("msg_01J0000000000000000000000B", "10:00:00");
    expect(matchReceipt([later, earlier], 0, WINDOW)).toEqual({ kind: "matched", holder: later });
    expect(matchReceipt([earlier, later], 0, WINDOW)).toEqual({ kind: "matched", holder: later });
  });

  it("when nothing holds the id, the receipt waits the window, then is unknown", () => {
    expect(matchReceipt([], 0, WINDOW)).toEqual({ kind: "wait" });
    expect(matchReceipt([], WINDOW, WINDOW)).toEqual({ kind: "unknown" });
  });
});
