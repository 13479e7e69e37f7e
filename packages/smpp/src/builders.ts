import {
  BIND_COMMAND,
  type BindFields,
  type BindMode,
  type MessageFields,
  type Outgoing,
  type RequestCommand,
  type RequestPdu,
  type ResponseFields,
  type ResponseMap,
  type ResponsePdu,
} from "./pdu.ts";
import { type Tlv, tlv } from "./tlv.ts";

/** Fields of submit_sm / deliver_sm with the spec's defaults (0 / "" / no TLVs) filled in. */
export type MessageInput = Partial<MessageFields> & Pick<MessageFields, "destinationAddr">;

const messageDefaults: Omit<MessageFields, "destinationAddr"> = {
  serviceType: "",
  sourceAddrTon: 0,
  sourceAddrNpi: 0,
  sourceAddr: "",
  destAddrTon: 0,
  destAddrNpi: 0,
  esmClass: 0,
  protocolId: 0,
  priorityFlag: 0,
  scheduleDeliveryTime: "",
  validityPeriod: "",
  registeredDelivery: 0,
  replaceIfPresentFlag: 0,
  dataCoding: 0,
  smDefaultMsgId: 0,
  shortMessage: Buffer.alloc(0),
  tlvs: [],
};

export function submitSm(input: MessageInput): Outgoing<"submit_sm"> {
  return { command: "submit_sm", ...messageDefaults, ...input };
}

export function deliverSm(input: MessageInput): Outgoing<"deliver_sm"> {
  return { command: "deliver_sm", ...messageDefaults, ...input };
}

/**
 * The same message as a data_sm (SMPP 3.4 4.7), as some SMSCs send receipts and MO: the
 * short_message moves into message_payload (left out when empty, so a TLV-only receipt stays
 * TLV-only); the fields data_sm lacks (protocol_id, priority, schedule, validity…) go.
 */
export function dataSmOf(pdu: Outgoing<"submit_sm" | "deliver_sm">): Outgoing<"data_sm"> {
  const body = pdu.shortMessage.length > 0 ? [tlv.messagePayload(pdu.shortMessage)] : [];
  return {
    command: "data_sm",
    serviceType: pdu.serviceType,
    sourceAddrTon: pdu.sourceAddrTon,
    sourceAddrNpi: pdu.sourceAddrNpi,
    sourceAddr: pdu.sourceAddr,
    destAddrTon: pdu.destAddrTon,
    destAddrNpi: pdu.destAddrNpi,
    destinationAddr: pdu.destinationAddr,
    esmClass: pdu.esmClass,
    registeredDelivery: pdu.registeredDelivery,
    dataCoding: pdu.dataCoding,
    tlvs: [...body, ...pdu.tlvs],
  };
}

export type BindInput = Partial<BindFields> & Pick<BindFields, "systemId" | "password">;

export function bindRequest(
  mode: BindMode,
  input: BindInput,
): Outgoing<"bind_transmitter" | "bind_receiver" | "bind_transceiver"> {
  return {
    command: BIND_COMMAND[mode],
    systemType: "",
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: "",
    ...input,
  };
}

export function enquireLink(): Outgoing<"enquire_link"> {
  return { command: "enquire_link" };
}

type AnyResponseFields = {
  commandStatus?: number;
  systemId?: string;
  messageId?: string;
  tlvs?: readonly Tlv[];
  finalDate?: string;
  messageState?: number;
  errorCode?: number;
};

/** The response to `request`, same sequence number; unspecified fields are 0 / "" / none. */
export function buildResponse<C extends RequestCommand>(
  request: RequestPdu & { command: C },
  fields?: ResponseFields<C>,
): ResponseMap[C];
export function buildResponse(request: RequestPdu, fields: AnyResponseFields = {}): ResponsePdu {
  const head = { commandStatus: fields.commandStatus ?? 0, sequenceNumber: request.sequenceNumber };
  const tlvs = fields.tlvs ?? [];
  switch (request.command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return { command: `${request.command}_resp`, ...head, systemId: fields.systemId ?? "", tlvs };
    case "submit_sm":
    case "deliver_sm":
    case "data_sm":
      return {
        command: `${request.command}_resp`,
        ...head,
        messageId: fields.messageId ?? "",
        tlvs,
      };
    case "query_sm":
      return {
        command: "query_sm_resp",
        ...head,
        // Echoed only when it fits the answer (64 characters): a longer one, accepted as read,
        // would make the answer unencodable and leave the request unanswered.
        messageId: fields.messageId ?? (request.messageId.length <= 64 ? request.messageId : ""),
        finalDate: fields.finalDate ?? "",
        messageState: fields.messageState ?? 0,
        errorCode: fields.errorCode ?? 0,
      };
    case "cancel_sm":
    case "enquire_link":
    case "unbind":
      return { command: `${request.command}_resp`, ...head };
    default:
      return request satisfies never;
  }
}

export function genericNack(sequenceNumber: number, commandStatus: number): ResponsePdu {
  return { command: "generic_nack", commandStatus, sequenceNumber };
}
