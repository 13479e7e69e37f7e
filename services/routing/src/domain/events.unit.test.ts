import { ERROR_CODES } from "@smsgw/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commandStatusHex, type FailDecision } from "./decide.ts";
import { failedEvent } from "./events.ts";

const cause = { messageId: "msg_01", accountId: "acc_1" };
const now = new Date("2026-12-06T10:00:00Z");
const reason = fc.constantFrom("no_route", "submit_rejected", "no_carrier_left") as fc.Arbitrary<
  FailDecision["reason"]
>;

describe("MessageFailed's error codes", () => {
  it("when a message fails after any SMPP command status (or none), the event keeps the raw status and says a documented code (property)", () => {
    fc.assert(
      fc.property(reason, fc.option(fc.integer({ min: 0, max: 0xffff_ffff })), (why, status) => {
        const raw = status === null ? null : commandStatusHex(status);
        const event = failedEvent(
          cause,
          { kind: "fail", reason: why, errorCode: raw, detail: "" },
          now,
        );
        expect(event.data.errorCode).toBe(raw);
        expect(ERROR_CODES).toContain(event.data.publicErrorCode);
      }),
      { numRuns: 2_000 },
    );
  });

  it("when no route took the message, the code is no_route; when the carrier refused the number, invalid_number", () => {
    const fail = (why: FailDecision["reason"], errorCode: string | null) =>
      failedEvent(cause, { kind: "fail", reason: why, errorCode, detail: "" }, now).data;
    expect(fail("no_route", null).publicErrorCode).toBe("no_route");
    expect(fail("submit_rejected", commandStatusHex(0x0b)).publicErrorCode).toBe("invalid_number");
    expect(fail("no_carrier_left", commandStatusHex(0x58)).publicErrorCode).toBe("carrier_error");
  });
});
