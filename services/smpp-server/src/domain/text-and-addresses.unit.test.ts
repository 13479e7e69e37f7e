import { CommandStatus } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { destinationOf, sourceOf, Ton } from "./addresses.ts";
import { decodeMessageText } from "./message-text.ts";
import { submitStatusOf } from "./submit-status.ts";

describe("a submitted text, by its data_coding", () => {
  it("when data_coding is 0, the octets are GSM-7 septets (with the escape table)", () => {
    expect(decodeMessageText(Uint8Array.of(0x48, 0x69, 0x00, 0x1b, 0x65), 0)).toBe("Hi@€");
  });

  it("when data_coding is 8, it is UTF-16BE, surrogate pairs kept", () => {
    expect(decodeMessageText(Buffer.from("Жx😀", "utf16le").swap16(), 8)).toBe("Жx😀");
  });

  it("when data_coding is 1 or 3, it is ASCII or Latin-1", () => {
    expect(decodeMessageText(Buffer.from("plain"), 1)).toBe("plain");
    expect(decodeMessageText(Uint8Array.of(0x63, 0xe9), 3)).toBe("cé");
  });

  it("when the octets are not what data_coding says, or it is binary, there is no text", () => {
    expect(decodeMessageText(Uint8Array.of(0x80), 0)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0x00, 0x41, 0x42), 8)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0xe9), 1)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(1, 2), 4)).toBeNull();
  });

  it("when the octets decode to what the record cannot hold (a NUL, a lone surrogate), there is no text", () => {
    expect(decodeMessageText(Uint8Array.of(0x41, 0x00), 1)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0x63, 0x00), 3)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0x00, 0x41, 0x00, 0x00), 8)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0xd8, 0x3d, 0x00, 0x41), 8)).toBeNull();
    expect(decodeMessageText(Uint8Array.of(0xde, 0x00), 8)).toBeNull();
  });
});

describe("addresses", () => {
  it("when the destination is digits, with or without +, it becomes E.164; anything else stays for the phone check", () => {
    expect(destinationOf("37256789045")).toBe("+37256789045");
    expect(destinationOf("+37256789045")).toBe("+37256789045");
    expect(destinationOf("abc")).toBe("abc");
  });

  it("when the source is alphanumeric (TON 5) it is kept; a number loses its +", () => {
    expect(sourceOf("MyApp", Ton.alphanumeric)).toBe("MyApp");
    expect(sourceOf("+37256789045", Ton.international)).toBe("37256789045");
  });
});

describe("refusals as command_status (api.md section 6)", () => {
  it("when the API would refuse, SMPP answers the contract's status", () => {
    expect(submitStatusOf("invalid_phone")).toBe(CommandStatus.ESME_RINVDSTADR);
    expect(submitStatusOf("invalid_sender")).toBe(CommandStatus.ESME_RINVSRCADR);
    expect(submitStatusOf("low_balance")).toBe(CommandStatus.ESME_RSUBMITFAIL);
    expect(submitStatusOf("opted_out")).toBe(CommandStatus.ESME_RSUBMITFAIL);
    expect(submitStatusOf("rate_limit")).toBe(CommandStatus.ESME_RTHROTTLED);
    expect(submitStatusOf("server_error")).toBe(CommandStatus.ESME_RSYSERR);
    expect(submitStatusOf("destination_blocked")).toBe(CommandStatus.ESME_RINVDSTADR);
  });
});
