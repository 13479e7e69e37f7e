import { ERROR_CODES, MessageStatusChanged, newMessageId } from "@smsgw/contracts";
import { readReceipt, receiptDeliverSm } from "@smsgw/smpp";
import { decodeGsm7Unpacked } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { ERR_OF, errOf, expiredPartsChange, receiptInputOf, receiptMaskOf } from "./receipt.ts";

const messageId = newMessageId(Date.UTC(2026, 11, 6, 9, 30));
const change = (overrides: Partial<MessageStatusChanged> = {}): MessageStatusChanged => ({
  type: "MessageStatusChanged",
  version: 1,
  messageId,
  accountId: "acc_1",
  status: "delivered",
  sequence: 3,
  occurredAt: "2026-12-06T09:31:00.000Z",
  toNumber: "+37256789045",
  fromNumber: "MyApp",
  parts: 1,
  cost: 420,
  currency: "EUR",
  errorCode: null,
  reference: null,
  callbackUrl: null,
  smppReceipt: "final",
  ...overrides,
});

describe("registered_delivery", () => {
  it("when it asks for the final outcome, failures only or nothing, the mask says so", () => {
    expect(receiptMaskOf(0x01)).toBe("final");
    expect(receiptMaskOf(0x11)).toBe("final");
    expect(receiptMaskOf(0x02)).toBe("failure");
    expect(receiptMaskOf(0x00)).toBeNull();
    expect(receiptMaskOf(0x10)).toBeNull();
  });
});

describe("a customer's receipt", () => {
  it("when a message is delivered, the deliver_sm is a receipt from the handset to the sender with the contract's text and TLVs for our id", () => {
    const input = receiptInputOf(change());
    if (!input) throw new Error("expected a receipt");
    const pdu = receiptDeliverSm(input);
    expect(pdu).toMatchObject({
      esmClass: 0x04,
      dataCoding: 0,
      sourceAddr: "37256789045",
      sourceAddrTon: 1,
      destinationAddr: "MyApp",
      destAddrTon: 5,
    });
    expect(decodeGsm7Unpacked(pdu.shortMessage)).toBe(
      `id:${messageId} sub:001 dlvrd:001 submit date:2612060930 done date:2612060931 stat:DELIVRD err:000 text:`,
    );
    expect(readReceipt({ ...pdu, commandStatus: 0, sequenceNumber: 1 })).toMatchObject({
      carrierMessageId: messageId,
      stat: "DELIVRD",
    });
  });

  it("when a message failed, undelivered or expired, the stat and err say how", () => {
    expect(receiptInputOf(change({ status: "failed", errorCode: "no_route" }))).toMatchObject({
      stat: "REJECTD",
      err: "006",
    });
    expect(
      receiptInputOf(change({ status: "undelivered", errorCode: "unreachable" })),
    ).toMatchObject({ stat: "UNDELIV", err: "001" });
    expect(receiptInputOf(change({ status: "expired", errorCode: null }))?.stat).toBe("EXPIRED");
    expect(errOf("undelivered", null)).toBe("099");
  });

  it("when its account canceled it (ADR 0030), the receipt says DELETED, err 010, as SMPP has a canceled message", () => {
    expect(receiptInputOf(change({ status: "failed", errorCode: "canceled" }))).toMatchObject({
      stat: "DELETED",
      err: "010",
    });
  });

  it("when an older status change holds a carrier's raw code, the customer's receipt says the documented code's number, never the raw one", () => {
    expect(errOf("undelivered", "001")).toBe(ERR_OF.unknown_subscriber);
    expect(errOf("failed", "0x0000000b")).toBe(ERR_OF.invalid_number);
    expect(errOf("undelivered", "something_new")).toBe(ERR_OF.carrier_error);
  });

  it("when every documented code has a receipt err, the numbers are distinct three digits", () => {
    const numbers = ERROR_CODES.map((code) => ERR_OF[code]);
    expect(new Set(numbers).size).toBe(ERROR_CODES.length);
    expect(numbers.every((n) => /^0\d\d$/.test(n) && n !== "000" && n !== "099")).toBe(true);
  });

  it("when the status is not final, there is no receipt", () => {
    expect(receiptInputOf(change({ status: "sent" }))).toBeNull();
  });

  it("when the sender is a number, the receipt goes back to it as an international number", () => {
    expect(receiptInputOf(change({ fromNumber: "+37255500000" }))?.source).toEqual({
      addr: "37255500000",
      ton: 1,
      npi: 1,
    });
  });
});

describe("a concatenated message whose parts never all came", () => {
  const expired = (registeredDelivery: number) =>
    expiredPartsChange({
      messageId: newMessageId(Date.parse("2026-12-07T08:00:00Z")),
      accountId: "acc_1",
      from: "MyApp",
      to: "+37256789045",
      total: 2,
      registeredDelivery,
      at: Date.parse("2026-12-07T08:01:00Z"),
    });

  it("when the customer asked for receipts of failures, it is reported REJECTD (err 005), uncharged; asked for none, it is not", () => {
    expect(expired(0)).toBeNull();
    for (const registeredDelivery of [1, 2]) {
      const change = expired(registeredDelivery);
      expect(MessageStatusChanged.safeParse(change).success).toBe(true);
      expect(change).toMatchObject({ status: "failed", cost: 0, errorCode: "rejected" });
      const input = receiptInputOf(change as MessageStatusChanged);
      expect(input).toMatchObject({ stat: "REJECTD", err: "005" });
    }
  });
});
