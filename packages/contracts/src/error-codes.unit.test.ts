import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  type ErrorCode,
  errorCodeOfCommandStatus,
  errorCodeOfReceipt,
  publicErrorCode,
  type ReceiptErrorOverrides,
} from "./error-codes.ts";
import { publicErrorCodeOfFailure, publicErrorCodeOfReceipt } from "./public-event.ts";

const documented = new Set<string | null>([...ERROR_CODES, null]);

const STATS = [
  "DELIVRD",
  "UNDELIV",
  "REJECTD",
  "DELETED",
  "SKIPPED",
  "EXPIRED",
  "ENROUTE",
  "ACCEPTD",
  "UNKNOWN",
  "SCHEDULED",
];
/** Every receipt stat we know and any other string a carrier may write. */
const stat = fc.oneof(fc.constantFrom(...STATS), fc.string());
/** Three digits as most carriers write it, any number, or anything at all. */
const err = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
  fc.nat().map(String),
  fc.string(),
);
const overrides: fc.Arbitrary<ReceiptErrorOverrides> = fc.dictionary(
  fc.oneof(err, fc.string()),
  fc.constantFrom(...ERROR_CODES),
);
/** Any 32-bit SMPP command_status. */
const commandStatus = fc.oneof(
  fc.integer({ min: 0, max: 0x1ff }),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

describe("every errorCode the gateway can emit is a documented one (property)", () => {
  it("when any receipt (any stat, any err, any carrier overrides) is mapped, the code is documented or null", () => {
    fc.assert(
      fc.property(stat, fc.option(err), overrides, (s, e, o) => {
        expect(documented.has(errorCodeOfReceipt({ stat: s, err: e }, o))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("when any SMPP command status refuses a submit, the code is documented", () => {
    fc.assert(
      fc.property(commandStatus, (status) => {
        expect(ERROR_CODES).toContain(errorCodeOfCommandStatus(status));
      }),
      { numRuns: 2_000 },
    );
  });

  it("when an old stored event, row or status change holds a raw code (receipt err, hex status, anything), it reads as a documented code", () => {
    const hex = commandStatus.map((s) => `0x${s.toString(16).padStart(8, "0")}`);
    fc.assert(
      fc.property(fc.option(fc.oneof(err, hex, fc.string())), (stored) => {
        expect(documented.has(publicErrorCode(stored))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("when a stored receipt or failure event is read for its public code, whatever it holds, the code is documented", () => {
    fc.assert(
      fc.property(
        stat,
        fc.option(err),
        fc.option(fc.oneof(fc.constantFrom(...ERROR_CODES), fc.string()), { nil: undefined }),
        fc.constantFrom("no_route", "submit_rejected", "no_carrier_left") as fc.Arbitrary<
          "no_route" | "submit_rejected" | "no_carrier_left"
        >,
        (s, e, mapped, reason) => {
          const receipt = publicErrorCodeOfReceipt({
            stat: s,
            errorCode: e,
            publicErrorCode: mapped,
          });
          expect(documented.has(receipt)).toBe(true);
          const failure = publicErrorCodeOfFailure({
            reason,
            errorCode: e,
            publicErrorCode: mapped,
          });
          expect(ERROR_CODES).toContain(failure);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("receipt errors", () => {
  const code = (stat: string, err: string | null, o: ReceiptErrorOverrides = {}) =>
    errorCodeOfReceipt({ stat, err }, o);

  it("when a part is delivered or not final yet, there is no error code", () => {
    expect(code("DELIVRD", "000")).toBeNull();
    expect(code("ENROUTE", "001")).toBeNull();
    expect(code("UNKNOWN", "027")).toBeNull();
  });

  it("when the err is a GSM MAP error, it says what happened to the handset", () => {
    expect(code("UNDELIV", "001")).toBe("unknown_subscriber");
    expect(code("UNDELIV", "027")).toBe("unreachable");
    expect(code("UNDELIV", "13")).toBe("blocked_by_carrier");
    expect(code("UNDELIV", "034")).toBe("carrier_error");
  });

  it("when the receipt says EXPIRED, the code is expired whatever the err", () => {
    expect(code("EXPIRED", "001")).toBe("expired");
  });

  it("when the err means nothing known, REJECTD is rejected and the other failures carrier_error", () => {
    expect(code("REJECTD", "000")).toBe("rejected");
    expect(code("UNDELIV", "000")).toBe("carrier_error");
    expect(code("UNDELIV", null)).toBe("carrier_error");
    expect(code("DELETED", "X9")).toBe("carrier_error");
  });

  it("when the carrier's config overrides an err, its meaning wins, however the number is padded", () => {
    const carrierX: Record<string, ErrorCode> = { "1": "blocked_by_carrier", E42: "unreachable" };
    expect(code("UNDELIV", "001", carrierX)).toBe("blocked_by_carrier");
    expect(code("UNDELIV", "E42", carrierX)).toBe("unreachable");
    expect(code("UNDELIV", "027", carrierX)).toBe("unreachable");
  });
});

describe("SMPP command statuses", () => {
  it("when the carrier refuses an address, the code says which", () => {
    expect(errorCodeOfCommandStatus(0x0b)).toBe("invalid_number");
    expect(errorCodeOfCommandStatus(0x51)).toBe("invalid_number");
    expect(errorCodeOfCommandStatus(0x0a)).toBe("invalid_sender");
  });

  it("when the refusal is permanent for the message, it is rejected; transient or unknown is carrier_error", () => {
    expect(errorCodeOfCommandStatus(0x01)).toBe("rejected");
    expect(errorCodeOfCommandStatus(0xc2)).toBe("rejected");
    expect(errorCodeOfCommandStatus(0x58)).toBe("carrier_error");
    expect(errorCodeOfCommandStatus(0x45)).toBe("carrier_error");
    expect(errorCodeOfCommandStatus(0x400)).toBe("carrier_error");
  });

  it("when an old event stored the status in hex, it reads as the same code", () => {
    expect(publicErrorCode("0x0000000b")).toBe("invalid_number");
    expect(publicErrorCode("0x00000058")).toBe("carrier_error");
    expect(publicErrorCode("001")).toBe("unknown_subscriber");
    expect(publicErrorCode("unreachable")).toBe("unreachable");
    expect(publicErrorCode(null)).toBeNull();
  });
});
