import { describe, expect, it } from "vitest";
import { readReceipt } from "./receipt.ts";
import { receiptDeliverSm } from "./receipt-pdu.ts";

describe("receiptDeliverSm", () => {
  const pdu = receiptDeliverSm({
    carrierMessageId: "1a2b3c4d",
    source: { addr: "MyApp", ton: 5, npi: 0 },
    destination: { addr: "3725550123", ton: 1, npi: 1 },
    stat: "UNDELIV",
    err: "001",
    text: "Tere 👋 this text is longer than twenty",
    submittedAt: new Date("2026-11-24T10:00:00Z"),
    doneAt: new Date("2026-11-24T10:01:00Z"),
  });

  it("when built, it is a receipt from the handset back to the sender", () => {
    expect(pdu).toMatchObject({
      command: "deliver_sm",
      esmClass: 0x04,
      sourceAddr: "3725550123",
      sourceAddrTon: 1,
      destinationAddr: "MyApp",
      destAddrTon: 5,
    });
  });

  it("when built, its text carries the id, dates, stat, err and an ASCII sample of the text", () => {
    expect(pdu.shortMessage.toString("latin1")).toBe(
      "id:1a2b3c4d sub:001 dlvrd:000 submit date:2611241000 done date:2611241001 " +
        "stat:UNDELIV err:001 text:Tere ?? this text is",
    );
  });

  it("when read back, the TLVs and the text agree", () => {
    expect(readReceipt({ ...pdu, commandStatus: 0, sequenceNumber: 1 })).toMatchObject({
      carrierMessageId: "1a2b3c4d",
      stat: "UNDELIV",
      err: "001",
    });
  });
});
