import { describe, expect, it } from "vitest";
import { bindRequest, buildResponse, deliverSm, submitSm } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import { SmppDecodeError, SmppEncodeError } from "./errors.ts";
import type { Outgoing, Pdu, RequestCommand, RequestPdu } from "./pdu.ts";
import { TlvTag, tlv } from "./tlv.ts";

const at = <C extends RequestCommand>(pdu: Outgoing<C>, sequenceNumber = 7) =>
  ({ ...pdu, commandStatus: 0, sequenceNumber }) as RequestPdu & { command: C };

const roundTrip = (pdu: Pdu) => decodePdu(encodePdu(pdu));

const bind = (mode: "transmitter" | "receiver" | "transceiver") =>
  at(bindRequest(mode, { systemId: "acme", password: "secret", systemType: "VMA" }));

const submit = at(
  submitSm({
    sourceAddrTon: 5,
    sourceAddr: "ACME",
    destAddrTon: 1,
    destAddrNpi: 1,
    destinationAddr: "447911123456",
    esmClass: 0x40,
    registeredDelivery: 1,
    dataCoding: 8,
    validityPeriod: "000001000000000R",
    shortMessage: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x00, 0x48]),
    tlvs: [tlv.sarMsgRefNum(0x1234), tlv.sarTotalSegments(2), tlv.sarSegmentSeqnum(1)],
  }),
);

describe("encodePdu / decodePdu", () => {
  it("when every PDU kind is encoded then decoded, it gets the same PDU back", () => {
    const receipt = at(
      deliverSm({
        destinationAddr: "ACME",
        esmClass: 0x04,
        shortMessage: Buffer.from("id:1 stat:DELIVRD err:000"),
        tlvs: [tlv.receiptedMessageId("1"), tlv.messageState(2), tlv.networkErrorCode(3, 0)],
      }),
    );
    const pdus: Pdu[] = [
      bind("transmitter"),
      bind("receiver"),
      bind("transceiver"),
      buildResponse(bind("transmitter"), { systemId: "smsc" }),
      buildResponse(bind("receiver"), { systemId: "smsc" }),
      buildResponse(bind("transceiver"), {
        systemId: "smsc",
        tlvs: [{ tag: TlvTag.sc_interface_version, value: Buffer.of(0x34) }],
      }),
      submit,
      buildResponse(submit, { messageId: "5f0c-42" }),
      receipt,
      buildResponse(receipt),
      at({ command: "enquire_link" }),
      buildResponse(at({ command: "enquire_link" })),
      at({ command: "unbind" }),
      buildResponse(at({ command: "unbind" })),
      { command: "generic_nack", commandStatus: 3, sequenceNumber: 9 },
    ];
    for (const pdu of pdus) expect(roundTrip(pdu)).toEqual(pdu);
  });

  it("when enquire_link is encoded, it is exactly the 16-byte header", () => {
    const bytes = encodePdu(at({ command: "enquire_link" }, 1));
    expect(bytes.toString("hex")).toBe("00000010000000150000000000000001");
  });

  it("when a submit_sm is encoded, the body follows the spec's field order", () => {
    const pdu = at(
      submitSm({ sourceAddr: "A", destinationAddr: "1", shortMessage: Buffer.from("hi") }),
      2,
    );
    const hex = encodePdu(pdu).toString("hex");
    const body =
      "00" +
      "0000" +
      "4100" +
      "0000" +
      "3100" +
      "000000" +
      "00" +
      "00" +
      "00000000" +
      "02" +
      "6869";
    expect(hex).toBe(
      `${(16 + body.length / 2).toString(16).padStart(8, "0")}0000000400000000` + `00000002${body}`,
    );
  });

  it("when submit_sm_resp carries an error, it has no body and decodes with an empty message_id", () => {
    const resp = buildResponse(submit, { commandStatus: 0x58, messageId: "ignored" });
    const bytes = encodePdu(resp);
    expect(bytes.length).toBe(16);
    expect(decodePdu(bytes)).toMatchObject({
      command: "submit_sm_resp",
      commandStatus: 0x58,
      messageId: "",
    });
  });

  it("when a bind_resp has no body, it decodes with an empty system_id", () => {
    const bytes = Buffer.from("00000010800000090000000e00000003", "hex");
    expect(decodePdu(bytes)).toEqual({
      command: "bind_transceiver_resp",
      commandStatus: 0x0e,
      sequenceNumber: 3,
      systemId: "",
      tlvs: [],
    });
  });

  it("when a bind_resp's system_id lacks its NUL or junk follows it, it still decodes: the bind's status is what counts", () => {
    const head = (length: number) =>
      Buffer.from(`${length.toString(16).padStart(8, "0")}800000090000000000000001`, "hex");
    const noNul = Buffer.concat([head(16 + 4), Buffer.from("SMSC")]);
    expect(decodePdu(noNul)).toEqual({
      command: "bind_transceiver_resp",
      commandStatus: 0,
      sequenceNumber: 1,
      systemId: "SMSC",
      tlvs: [],
    });
    // sc_interface_version announced with a length running past the end of the PDU.
    const junk = Buffer.concat([
      head(16 + 5 + 5),
      Buffer.from("SMSC\u0000"),
      Buffer.from("0210000934", "hex"),
    ]);
    expect(decodePdu(junk)).toMatchObject({ commandStatus: 0, systemId: "SMSC", tlvs: [] });
  });

  it("when a submit_sm_resp message_id lacks its NUL, it takes the rest of the body", () => {
    const bytes = Buffer.concat([
      Buffer.from("00000013800000040000000000000005", "hex"),
      Buffer.from("abc"),
    ]);
    expect(decodePdu(bytes)).toMatchObject({ messageId: "abc" });
  });

  it("when fields are at their maximum length, they round-trip", () => {
    const pdu = at(
      bindRequest("transceiver", {
        systemId: "s".repeat(15),
        password: "p".repeat(8),
        systemType: "t".repeat(12),
        addressRange: "r".repeat(40),
      }),
    );
    expect(roundTrip(pdu)).toEqual(pdu);
    const long = at(
      submitSm({ destinationAddr: "9".repeat(20), shortMessage: Buffer.alloc(254, 0x41) }),
    );
    expect(roundTrip(long)).toEqual(long);
    const resp = buildResponse(long, { messageId: "m".repeat(64) });
    expect(roundTrip(resp)).toEqual(resp);
  });

  it("when a field is over its maximum length, encoding throws SmppEncodeError", () => {
    const tooLong = [
      at(bindRequest("transmitter", { systemId: "s".repeat(16), password: "p" })),
      at(bindRequest("transmitter", { systemId: "s", password: "p".repeat(9) })),
      at(submitSm({ destinationAddr: "9".repeat(21) })),
      at(submitSm({ destinationAddr: "1", shortMessage: Buffer.alloc(255) })),
      buildResponse(submit, { messageId: "m".repeat(65) }),
      at(submitSm({ destinationAddr: "1", esmClass: 256 })),
    ];
    for (const pdu of tooLong) expect(() => encodePdu(pdu)).toThrow(SmppEncodeError);
  });

  it("when a long text goes in message_payload, it round-trips with sm_length 0", () => {
    const payload = Buffer.alloc(5000, 0x61);
    const pdu = at(submitSm({ destinationAddr: "1", tlvs: [tlv.messagePayload(payload)] }));
    const decoded = roundTrip(pdu);
    expect(decoded).toEqual(pdu);
    expect(decoded.command === "submit_sm" && decoded.shortMessage.length).toBe(0);
  });

  it("when a data_sm carries its text in message_payload, it round-trips, and so does its response", () => {
    const dataSm: Pdu = {
      command: "data_sm",
      commandStatus: 0,
      sequenceNumber: 9,
      serviceType: "",
      sourceAddrTon: 5,
      sourceAddrNpi: 0,
      sourceAddr: "ACME",
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: "447911123456",
      esmClass: 0,
      registeredDelivery: 1,
      dataCoding: 0,
      tlvs: [tlv.messagePayload(Buffer.from("Hello"))],
    };
    expect(roundTrip(dataSm)).toEqual(dataSm);
    // command_id 0x103, then the body in the spec's order: no short_message, TLVs at once.
    const frame = encodePdu(dataSm);
    expect(frame.readUInt32BE(4)).toBe(0x103);
    expect(frame.subarray(16).toString("latin1")).toBe(
      "\x00\x05\x00ACME\x00\x01\x01447911123456\x00\x00\x01\x00\x04\x24\x00\x05Hello",
    );
    const resp = buildResponse(dataSm as RequestPdu & { command: "data_sm" }, { messageId: "m1" });
    expect(roundTrip(resp)).toEqual(resp);
  });

  it("when an unknown TLV comes in, it is kept as is", () => {
    const pdu = at(
      submitSm({ destinationAddr: "1", tlvs: [{ tag: 0x1403, value: Buffer.from("vendor") }] }),
    );
    expect(roundTrip(pdu)).toEqual(pdu);
  });

  it("when the command_id is unknown, it throws SmppDecodeError with the header and RINVCMDID", () => {
    const bytes = Buffer.from("00000010000000990000000000000042", "hex");
    const error = catchError(() => decodePdu(bytes));
    expect(error).toBeInstanceOf(SmppDecodeError);
    expect(error).toMatchObject({
      status: 0x03,
      header: { commandId: 0x99, sequenceNumber: 0x42 },
    });
  });

  it("when the TLV stream is cut short, it throws SmppDecodeError with RINVOPTPARSTREAM", () => {
    const good = encodePdu(at(submitSm({ destinationAddr: "1", tlvs: [tlv.messageState(2)] })));
    const cut = Buffer.from(good.subarray(0, good.length - 1));
    cut.writeUInt32BE(cut.length, 0);
    expect(catchError(() => decodePdu(cut))).toMatchObject({
      name: "SmppDecodeError",
      status: 0xc0,
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("query_sm and cancel_sm (SMPP 3.4 4.8, 4.9)", () => {
  const query = at({
    command: "query_sm",
    messageId: "msg_01JX",
    sourceAddrTon: 5,
    sourceAddrNpi: 0,
    sourceAddr: "ACME",
  });
  const cancel = at({
    command: "cancel_sm",
    serviceType: "",
    messageId: "msg_01JX",
    sourceAddrTon: 5,
    sourceAddrNpi: 0,
    sourceAddr: "ACME",
    destAddrTon: 1,
    destAddrNpi: 1,
    destinationAddr: "447911123456",
  });

  it("when they and their answers are encoded then decoded, the same PDUs come back", () => {
    const answered = buildResponse(query, {
      finalDate: "261207183000000+",
      messageState: 2,
      errorCode: 0,
    });
    expect(answered.messageId).toBe("msg_01JX");
    for (const pdu of [query, answered, cancel, buildResponse(cancel)]) {
      expect(roundTrip(pdu)).toEqual(pdu);
    }
  });

  it("when a query_sm is encoded, its body is message_id then the source address", () => {
    const body = encodePdu(query).subarray(16).toString("hex");
    expect(body).toBe(`${Buffer.from("msg_01JX\0").toString("hex")}0500${"41434d4500"}`);
  });

  it("when a query_sm_resp comes without a body or cut short, what came is read and the rest is empty", () => {
    const bare = Buffer.from("00000010800000030000006700000007", "hex");
    expect(decodePdu(bare)).toEqual({
      command: "query_sm_resp",
      commandStatus: 0x67,
      sequenceNumber: 7,
      messageId: "",
      finalDate: "",
      messageState: 0,
      errorCode: 0,
    });
    const idOnly = Buffer.concat([
      Buffer.from("00000015800000030000000000000007", "hex"),
      Buffer.from("abc\0"),
      Buffer.of(0x00),
    ]);
    expect(decodePdu(idOnly)).toMatchObject({ messageId: "abc", finalDate: "", messageState: 0 });
  });

  it("when a query_sm names an id longer than an answer can carry, it is still answered, with no id", () => {
    const long = { ...query, messageId: "x".repeat(70) };
    const decoded = decodePdu(encodePdu({ ...long, messageId: "x".repeat(64) }));
    expect(decoded).toMatchObject({ messageId: "x".repeat(64) });
    const answer = buildResponse(long as typeof query, { commandStatus: 0x67 });
    expect(answer.messageId).toBe("");
    expect(() => encodePdu(answer)).not.toThrow();
    expect(buildResponse(query, { commandStatus: 0x67 }).messageId).toBe("msg_01JX");
  });

  it("when a query_sm_resp's id has no NUL, the id is the rest of the body", () => {
    const frame = Buffer.concat([
      Buffer.from("00000013800000030000000000000007", "hex"),
      Buffer.from("abc"),
    ]);
    expect(decodePdu(frame)).toMatchObject({ messageId: "abc", finalDate: "", messageState: 0 });
  });

  it("when a cancel_sm is cut short, it is refused as malformed", () => {
    const frame = encodePdu(cancel);
    const cut = Buffer.from(frame.subarray(0, frame.length - 5));
    cut.writeUInt32BE(cut.length, 0);
    expect(() => decodePdu(cut)).toThrow(SmppDecodeError);
  });
});
