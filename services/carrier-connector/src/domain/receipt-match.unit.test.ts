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

  describe("when the carrier gave every part of a long message one id", () => {
    // Parts stored by one statement share a time.
    const partsOf = (messageId: string, submittedAt: string, final = false) =>
      [1, 2, 3].map((part) => holder(messageId, submittedAt, final, part));

    it("the receipts go to parts 1, 2, 3 in turn, each once the one before is final, whatever the order stored", () => {
      const parts = partsOf("msg_02NEW", "10:00:00").reverse();
      for (const expected of [1, 2, 3]) {
        const match = matchReceipt(parts, 0, WINDOW);
        expect(match).toMatchObject({ kind: "matched", holder: { part: expected } });
        if (match.kind === "matched") match.holder.final = true;
      }
    });

    it("when an older message held the id too, final or not, only the newer message's parts take receipts", () => {
      for (const olderFinal of [true, false]) {
        const older = partsOf("msg_01OLD", "09:00:00", olderFinal);
        const newer = partsOf("msg_02NEW", "10:00:00");
        const holders = [...older, ...newer];
        for (const expected of [1, 2, 3]) {
          const match = matchReceipt(holders, 0, WINDOW);
          expect(match).toMatchObject({
            kind: "matched",
            holder: { messageId: "msg_02NEW", part: expected },
          });
          if (match.kind === "matched") match.holder.final = true;
        }
        // Past the newer message's parts, the older one's live parts are still never matched.
        expect(matchReceipt(holders, 0, WINDOW)).toEqual({ kind: "wait" });
      }
    });

    it("when two messages' parts were stored by one statement, only the later accepted message's parts take receipts", () => {
      const older = partsOf("msg_01J0000000000000000000000A", "10:00:00");
      const newer = partsOf("msg_01J0000000000000000000000B", "10:00:00", true);
      expect(matchReceipt([...older, ...newer], 0, WINDOW)).toEqual({ kind: "wait" });
    });

    it("when all its parts are final, a receipt waits the window, then is taken as said again for the highest part (the newest holder)", () => {
      const parts = partsOf("msg_02NEW", "10:00:00", true);
      const third = holder("msg_02NEW", "10:00:00", true, 3);
      expect(matchReceipt(parts, WINDOW - 1, WINDOW)).toEqual({ kind: "wait" });
      expect(matchReceipt(parts, WINDOW, WINDOW)).toEqual({ kind: "repeated", holder: third });
      expect(matchReceipt([...parts].reverse(), WINDOW, WINDOW)).toEqual({
        kind: "repeated",
        holder: third,
      });
    });

    it("when only a middle part is still live, it takes the receipt at once, with no wait", () => {
      const live = holder("msg_02NEW", "10:00:00", false, 2);
      const parts = [1, 3].map((part) => holder("msg_02NEW", "10:00:00", true, part));
      expect(matchReceipt([...parts, live], 0, WINDOW)).toEqual({
        kind: "matched",
        holder: live,
      });
    });
  });

  it("when nothing holds the id, the receipt waits the window, then is unknown", () => {
    expect(matchReceipt([], 0, WINDOW)).toEqual({ kind: "wait" });
    expect(matchReceipt([], WINDOW, WINDOW)).toEqual({ kind: "unknown" });
  });
});
