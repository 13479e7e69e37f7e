import { ERROR_CODES, type MessageEvent, type PartStatus } from "@smsgw/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messageEvents } from "../testing/message-events.ts";
import { foldMessage } from "./fold.ts";
import { initialState } from "./message.ts";

const ID = "msg_01JDTESTMESSAGE00000000000";
const e = messageEvents(ID);
const t = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();
const documented = new Set<string | null>([...ERROR_CODES, null]);

// The final stats and one that is not; any other string too (below).
const STATS = "DELIVRD UNDELIV REJECTD DELETED SKIPPED EXPIRED ENROUTE".split(" ");
const PART_STATUSES: PartStatus[] = ["pending", "delivered", "undelivered", "expired"];
/** Whatever a carrier or an older producer may have written. */
const anyCode = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((n) => `0x${n.toString(16).padStart(8, "0")}`),
  fc.constantFrom(...ERROR_CODES),
  fc.string(),
);

/** A receipt or failure event with any stat, raw code and (or no) mapped code. */
const outcome: fc.Arbitrary<(second: number) => MessageEvent> = fc.oneof(
  fc
    .record({
      stat: fc.oneof(fc.constantFrom(...STATS), fc.string()),
      partStatus: fc.constantFrom(...PART_STATUSES),
      raw: fc.option(anyCode),
      mapped: fc.option(fc.option(anyCode), { nil: undefined }),
    })
    .map(({ stat, partStatus, raw, mapped }) => (second: number) => {
      const receipt = e.receipt(t(second), 1, partStatus, raw);
      if (receipt.type !== "ReceiptReceived") throw new Error("a receipt");
      const data = {
        ...receipt.data,
        stat,
        ...(mapped === undefined ? {} : { publicErrorCode: mapped }),
      };
      return { ...receipt, data };
    }),
  fc
    .record({
      reason: fc.constantFrom("no_route", "submit_rejected", "no_carrier_left") as fc.Arbitrary<
        "no_route" | "submit_rejected" | "no_carrier_left"
      >,
      raw: fc.option(anyCode),
      mapped: fc.option(anyCode, { nil: undefined }),
    })
    .map(({ reason, raw, mapped }) => (second: number) => {
      const failed = e.failed(t(second), raw);
      if (failed.type !== "MessageFailed") throw new Error("a failure");
      const data = {
        ...failed.data,
        reason,
        ...(mapped === undefined ? {} : { publicErrorCode: mapped }),
      };
      return { ...failed, data };
    }),
  fc.constant((second: number) => e.validityExpired(t(second))),
);

describe("every errorCode the event store folds and reports is a documented one (property)", () => {
  it("when any receipts, failures and expiries (any stat, raw code or mapped code) are folded, the status and every status change carry a documented code or none", () => {
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 4 }), (outcomes) => {
        const events = [e.accepted(t(0)), e.submitted(t(1)), ...outcomes.map((o, i) => o(i + 2))];
        const folded = foldMessage(initialState(ID, "acc_1"), events);
        expect(documented.has(folded.state.errorCode)).toBe(true);
        for (const part of Object.values(folded.state.partOutcomes)) {
          expect(documented.has(part.errorCode)).toBe(true);
        }
        for (const change of folded.notifications) {
          expect(documented.has(change.errorCode)).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
