import {
  SmppConnectionClosedError,
  SmppEncodeError,
  SmppGenericNackError,
  SmppResponseTimeoutError,
  SmppSessionStateError,
} from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { partResultOfError } from "./submit-orders.ts";

describe("partResultOfError", () => {
  it("when the response timed out, the outcome is unknown", () => {
    const error = new SmppResponseTimeoutError("submit_sm", 7, 10_000);
    expect(partResultOfError(2, error)).toMatchObject({ kind: "unknown", part: 2 });
  });

  it("when the connection closed after sending, the outcome is unknown; before, it was not sent", () => {
    expect(partResultOfError(1, new SmppConnectionClosedError(true)).kind).toBe("unknown");
    expect(partResultOfError(1, new SmppConnectionClosedError(false)).kind).toBe("unsent");
    expect(partResultOfError(1, new SmppSessionStateError("submit_sm", "unbinding")).kind).toBe(
      "unsent",
    );
  });

  it("when the carrier answered generic_nack, the part was refused with its status", () => {
    expect(partResultOfError(1, new SmppGenericNackError("submit_sm", 3, 0x02))).toEqual({
      kind: "refused",
      part: 1,
      commandStatus: 0x02,
    });
  });

  it("when the carrier answered generic_nack with command_status 0, the part was not accepted (nacked), not refused with status 0", () => {
    expect(partResultOfError(1, new SmppGenericNackError("submit_sm", 3, 0))).toMatchObject({
      kind: "nacked",
      part: 1,
    });
  });

  it("when the PDU cannot be encoded, it is invalid; anything unexpected is unknown", () => {
    expect(partResultOfError(1, new SmppEncodeError("too long")).kind).toBe("invalid");
    expect(partResultOfError(1, new Error("surprise")).kind).toBe("unknown");
  });
});
