import { test } from "vitest";
import { deliverSm } from "./builders.ts";
import { readReceipt } from "./receipt.ts";
import { parseReceiptText } from "./receipt-text.ts";
import { tlv } from "./tlv.ts";

const text =
  "id:0A1B2C3D sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:Your code is 4829";
const asReceipt = (input: Parameters<typeof deliverSm>[0]) => ({
  ...deliverSm(input),
  commandStatus: 0,
  sequenceNumber: 1,
});
const textOnly = asReceipt({
  destinationAddr: "ACME",
  esmClass: 0x04,
  shortMessage: Buffer.from(text),
});
const withTlvs = asReceipt({
  destinationAddr: "ACME",
  esmClass: 0x04,
  shortMessage: Buffer.from(text),
  tlvs: [tlv.receiptedMessageId("0A1B2C3D"), tlv.messageState(2), tlv.networkErrorCode(3, 0)],
});

test("receipt parsing: every deliver_sm receipt", async ({ bench }) => {
  await bench.compare(
    bench("parseReceiptText", () => {
      parseReceiptText(text);
    }),
    bench("readReceipt, text dialect", () => {
      readReceipt(textOnly);
    }),
    bench("readReceipt, TLV dialect", () => {
      readReceipt(withTlvs);
    }),
  );
});
