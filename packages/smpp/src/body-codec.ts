import { type BodyReader, BodyWriter } from "./bytes.ts";
import { CommandStatus } from "./command-status.ts";
import { SmppDecodeError, SmppEncodeError } from "./errors.ts";
import type {
  BindFields,
  BindRespFields,
  CancelSmFields,
  DataSmFields,
  MessageAddresses,
  MessageFields,
  MessageRespFields,
  QuerySmFields,
  QuerySmRespFields,
} from "./pdu.ts";
import { readTlvs, type Tlv, writeTlvs } from "./tlv.ts";

/** Body layouts shared by several PDUs. Max lengths count the NUL, as in the spec. */

export function readBind(r: BodyReader): BindFields {
  const body: BindFields = {
    systemId: r.cString("system_id"),
    password: r.cString("password"),
    systemType: r.cString("system_type"),
    interfaceVersion: r.u8("interface_version"),
    addrTon: r.u8("addr_ton"),
    addrNpi: r.u8("addr_npi"),
    addressRange: r.cString("address_range"),
  };
  expectEnd(r);
  return body;
}

export function writeBind(b: BindFields): Buffer {
  return new BodyWriter()
    .cString(b.systemId, 16, "system_id")
    .cString(b.password, 9, "password")
    .cString(b.systemType, 13, "system_type")
    .u8(b.interfaceVersion, "interface_version")
    .u8(b.addrTon, "addr_ton")
    .u8(b.addrNpi, "addr_npi")
    .cString(b.addressRange, 41, "address_range")
    .toBuffer();
}

/** Lenient as responses are (`readLenientResp`): a bind's outcome is its command_status. */
export function readBindResp(r: BodyReader): BindRespFields {
  const { id, tlvs } = readLenientResp(r, "system_id");
  return { systemId: id, tlvs };
}

export function writeBindResp(b: BindRespFields): Buffer {
  const w = new BodyWriter().cString(b.systemId, 16, "system_id");
  writeTlvs(w, b.tlvs);
  return w.toBuffer();
}

export function readMessage(r: BodyReader): MessageFields {
  const head = {
    ...readMessageAddresses(r),
    protocolId: r.u8("protocol_id"),
    priorityFlag: r.u8("priority_flag"),
    scheduleDeliveryTime: r.cString("schedule_delivery_time"),
    validityPeriod: r.cString("validity_period"),
    registeredDelivery: r.u8("registered_delivery"),
    replaceIfPresentFlag: r.u8("replace_if_present_flag"),
    dataCoding: r.u8("data_coding"),
    smDefaultMsgId: r.u8("sm_default_msg_id"),
  };
  const smLength = r.u8("sm_length");
  const shortMessage = r.octets(smLength, "short_message");
  return { ...head, shortMessage, tlvs: readTlvs(r) };
}

export function writeMessage(m: MessageFields): Buffer {
  if (m.shortMessage.length > 254) {
    throw new SmppEncodeError("short_message: over 254 octets, use the message_payload TLV");
  }
  const w = writeMessageAddresses(new BodyWriter(), m, 21)
    .u8(m.protocolId, "protocol_id")
    .u8(m.priorityFlag, "priority_flag")
    .cString(m.scheduleDeliveryTime, 17, "schedule_delivery_time")
    .cString(m.validityPeriod, 17, "validity_period")
    .u8(m.registeredDelivery, "registered_delivery")
    .u8(m.replaceIfPresentFlag, "replace_if_present_flag")
    .u8(m.dataCoding, "data_coding")
    .u8(m.smDefaultMsgId, "sm_default_msg_id")
    .u8(m.shortMessage.length, "sm_length")
    .octets(m.shortMessage);
  writeTlvs(w, m.tlvs);
  return w.toBuffer();
}

/** The fields submit_sm, deliver_sm and data_sm open with, up to esm_class. */
function readMessageAddresses(r: BodyReader): MessageAddresses {
  return {
    serviceType: r.cString("service_type"),
    sourceAddrTon: r.u8("source_addr_ton"),
    sourceAddrNpi: r.u8("source_addr_npi"),
    sourceAddr: r.cString("source_addr"),
    destAddrTon: r.u8("dest_addr_ton"),
    destAddrNpi: r.u8("dest_addr_npi"),
    destinationAddr: r.cString("destination_addr"),
    esmClass: r.u8("esm_class"),
  };
}

/** `addressMax` counts the NUL: 21 in submit_sm and deliver_sm, 65 in data_sm. */
function writeMessageAddresses(w: BodyWriter, m: MessageAddresses, addressMax: number): BodyWriter {
  return w
    .cString(m.serviceType, 6, "service_type")
    .u8(m.sourceAddrTon, "source_addr_ton")
    .u8(m.sourceAddrNpi, "source_addr_npi")
    .cString(m.sourceAddr, addressMax, "source_addr")
    .u8(m.destAddrTon, "dest_addr_ton")
    .u8(m.destAddrNpi, "dest_addr_npi")
    .cString(m.destinationAddr, addressMax, "destination_addr")
    .u8(m.esmClass, "esm_class");
}

export function readDataSm(r: BodyReader): DataSmFields {
  return {
    ...readMessageAddresses(r),
    registeredDelivery: r.u8("registered_delivery"),
    dataCoding: r.u8("data_coding"),
    tlvs: readTlvs(r),
  };
}

export function writeDataSm(m: DataSmFields): Buffer {
  const w = writeMessageAddresses(new BodyWriter(), m, 65)
    .u8(m.registeredDelivery, "registered_delivery")
    .u8(m.dataCoding, "data_coding");
  writeTlvs(w, m.tlvs);
  return w.toBuffer();
}

/** submit_sm_resp / deliver_sm_resp / data_sm_resp, read as `readLenientResp` does. */
export function readMessageResp(r: BodyReader): MessageRespFields {
  const { id, tlvs } = readLenientResp(r, "message_id");
  return { messageId: id, tlvs };
}

/**
 * A response's body: a C-string, then TLVs. Lenient, because an undecodable response fails the
 * request it answers (losing a message_id loses a message's outcome, a bind_resp with a quirky
 * tail would keep a carrier unbound for ever): an absent body (allowed when command_status is
 * not 0) is "", a string missing its NUL takes the rest of the body, and trailing bytes that
 * are not a valid TLV stream are ignored.
 */
function readLenientResp(r: BodyReader, field: string): { id: string; tlvs: Tlv[] } {
  if (r.remaining === 0) return { id: "", tlvs: [] };
  let id: string;
  try {
    id = r.cString(field);
  } catch {
    return { id: r.octets(r.remaining, field).toString("latin1"), tlvs: [] };
  }
  try {
    return { id, tlvs: readTlvs(r) };
  } catch {
    return { id, tlvs: [] };
  }
}

export function writeMessageResp(m: MessageRespFields): Buffer {
  const w = new BodyWriter().cString(m.messageId, 65, "message_id");
  writeTlvs(w, m.tlvs);
  return w.toBuffer();
}

export function readQuerySm(r: BodyReader): QuerySmFields {
  const body: QuerySmFields = {
    messageId: r.cString("message_id"),
    sourceAddrTon: r.u8("source_addr_ton"),
    sourceAddrNpi: r.u8("source_addr_npi"),
    sourceAddr: r.cString("source_addr"),
  };
  expectEnd(r);
  return body;
}

export function writeQuerySm(q: QuerySmFields): Buffer {
  return new BodyWriter()
    .cString(q.messageId, 65, "message_id")
    .u8(q.sourceAddrTon, "source_addr_ton")
    .u8(q.sourceAddrNpi, "source_addr_npi")
    .cString(q.sourceAddr, 21, "source_addr")
    .toBuffer();
}

/**
 * Lenient as every response (`readLenientResp`): a refusal may come with no body, and a body
 * cut short leaves the fields after the cut at "" and 0.
 */
export function readQuerySmResp(r: BodyReader): QuerySmRespFields {
  const answer = { messageId: "", finalDate: "", messageState: 0, errorCode: 0 };
  if (r.remaining === 0) return answer;
  try {
    answer.messageId = r.cString("message_id");
  } catch {
    // No NUL: the id takes the rest of the body, as in the other responses.
    answer.messageId = r.octets(r.remaining, "message_id").toString("latin1");
    return answer;
  }
  try {
    if (r.remaining === 0) return answer;
    answer.finalDate = r.cString("final_date");
    answer.messageState = r.u8("message_state");
    answer.errorCode = r.u8("error_code");
  } catch {
    // What was read stands.
  }
  return answer;
}

export function writeQuerySmResp(q: QuerySmRespFields): Buffer {
  return new BodyWriter()
    .cString(q.messageId, 65, "message_id")
    .cString(q.finalDate, 17, "final_date")
    .u8(q.messageState, "message_state")
    .u8(q.errorCode, "error_code")
    .toBuffer();
}

export function readCancelSm(r: BodyReader): CancelSmFields {
  const body: CancelSmFields = {
    serviceType: r.cString("service_type"),
    messageId: r.cString("message_id"),
    sourceAddrTon: r.u8("source_addr_ton"),
    sourceAddrNpi: r.u8("source_addr_npi"),
    sourceAddr: r.cString("source_addr"),
    destAddrTon: r.u8("dest_addr_ton"),
    destAddrNpi: r.u8("dest_addr_npi"),
    destinationAddr: r.cString("destination_addr"),
  };
  expectEnd(r);
  return body;
}

export function writeCancelSm(c: CancelSmFields): Buffer {
  return new BodyWriter()
    .cString(c.serviceType, 6, "service_type")
    .cString(c.messageId, 65, "message_id")
    .u8(c.sourceAddrTon, "source_addr_ton")
    .u8(c.sourceAddrNpi, "source_addr_npi")
    .cString(c.sourceAddr, 21, "source_addr")
    .u8(c.destAddrTon, "dest_addr_ton")
    .u8(c.destAddrNpi, "dest_addr_npi")
    .cString(c.destinationAddr, 21, "destination_addr")
    .toBuffer();
}

export function expectEnd(r: BodyReader): void {
  if (r.remaining !== 0) {
    throw new SmppDecodeError(
      `${r.remaining} unexpected bytes after the body`,
      CommandStatus.ESME_RINVCMDLEN,
    );
  }
}
