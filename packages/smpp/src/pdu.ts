import type { Tlv } from "./tlv.ts";

/**
 * The PDUs of SMPP 3.4 this package speaks, as one union keyed on `command`.
 * Field names follow the spec in camelCase; C-octet strings are strings, `shortMessage` is bytes
 * (the caller encodes text: GSM-7 unpacked, Latin-1 or UCS-2, per `dataCoding`).
 */
type Header<C extends string> = {
  readonly command: C;
  readonly commandStatus: number;
  readonly sequenceNumber: number;
};

export type BindMode = "transmitter" | "receiver" | "transceiver";

export type BindFields = {
  readonly systemId: string; // <= 15 chars
  readonly password: string; // <= 8 chars
  readonly systemType: string; // <= 12 chars
  readonly interfaceVersion: number; // 0x34
  readonly addrTon: number;
  readonly addrNpi: number;
  readonly addressRange: string; // <= 40 chars
};

export type BindRespFields = { readonly systemId: string; readonly tlvs: readonly Tlv[] };

/** submit_sm and deliver_sm share one body layout. */
export type MessageFields = {
  readonly serviceType: string; // <= 5 chars
  readonly sourceAddrTon: number;
  readonly sourceAddrNpi: number;
  readonly sourceAddr: string; // <= 20 chars
  readonly destAddrTon: number;
  readonly destAddrNpi: number;
  readonly destinationAddr: string; // <= 20 chars
  readonly esmClass: number;
  readonly protocolId: number;
  readonly priorityFlag: number;
  readonly scheduleDeliveryTime: string; // "" or 16 chars
  readonly validityPeriod: string; // "" or 16 chars
  readonly registeredDelivery: number;
  readonly replaceIfPresentFlag: number;
  readonly dataCoding: number;
  readonly smDefaultMsgId: number;
  readonly shortMessage: Buffer; // <= 254 octets; longer text goes in the message_payload TLV
  readonly tlvs: readonly Tlv[];
};

/** The fields submit_sm, deliver_sm and data_sm open with, up to esm_class. */
export type MessageAddresses = Pick<
  MessageFields,
  | "serviceType"
  | "sourceAddrTon"
  | "sourceAddrNpi"
  | "sourceAddr"
  | "destAddrTon"
  | "destAddrNpi"
  | "destinationAddr"
  | "esmClass"
>;

/**
 * data_sm (SMPP 3.4 4.7): the addresses and flags of submit_sm without its short_message;
 * the user data travels in the message_payload TLV (SAR TLVs for parts).
 */
export type DataSmFields = MessageAddresses &
  Pick<MessageFields, "registeredDelivery" | "dataCoding" | "tlvs">;

/** message_id is "" in deliver_sm_resp; tlvs only from SMPP 5.0 peers, kept if well formed. */
export type MessageRespFields = { readonly messageId: string; readonly tlvs: readonly Tlv[] };

/** query_sm (SMPP 3.4 4.8): the state of a message submitted earlier, by its message_id. */
export type QuerySmFields = {
  readonly messageId: string; // <= 64 chars
  readonly sourceAddrTon: number;
  readonly sourceAddrNpi: number;
  readonly sourceAddr: string; // <= 20 chars
};

/** query_sm_resp: final_date is "" until the message is final; message_state as in receipts. */
export type QuerySmRespFields = {
  readonly messageId: string;
  readonly finalDate: string; // "" or 16 chars
  readonly messageState: number;
  readonly errorCode: number;
};

/**
 * cancel_sm (SMPP 3.4 4.9): a message not yet delivered, by its message_id (or, with an empty
 * message_id, every message from source_addr to destination_addr: service_type then narrows).
 */
export type CancelSmFields = {
  readonly serviceType: string; // <= 5 chars
  readonly messageId: string; // <= 64 chars
  readonly sourceAddrTon: number;
  readonly sourceAddrNpi: number;
  readonly sourceAddr: string; // <= 20 chars
  readonly destAddrTon: number;
  readonly destAddrNpi: number;
  readonly destinationAddr: string; // <= 20 chars
};

export type BindTransmitter = Header<"bind_transmitter"> & BindFields;
export type BindReceiver = Header<"bind_receiver"> & BindFields;
export type BindTransceiver = Header<"bind_transceiver"> & BindFields;
export type BindTransmitterResp = Header<"bind_transmitter_resp"> & BindRespFields;
export type BindReceiverResp = Header<"bind_receiver_resp"> & BindRespFields;
export type BindTransceiverResp = Header<"bind_transceiver_resp"> & BindRespFields;
export type SubmitSm = Header<"submit_sm"> & MessageFields;
export type SubmitSmResp = Header<"submit_sm_resp"> & MessageRespFields;
export type DeliverSm = Header<"deliver_sm"> & MessageFields;
export type DeliverSmResp = Header<"deliver_sm_resp"> & MessageRespFields;
export type DataSm = Header<"data_sm"> & DataSmFields;
export type DataSmResp = Header<"data_sm_resp"> & MessageRespFields;
export type QuerySm = Header<"query_sm"> & QuerySmFields;
export type QuerySmResp = Header<"query_sm_resp"> & QuerySmRespFields;
export type CancelSm = Header<"cancel_sm"> & CancelSmFields;
export type CancelSmResp = Header<"cancel_sm_resp">;
export type EnquireLink = Header<"enquire_link">;
export type EnquireLinkResp = Header<"enquire_link_resp">;
export type Unbind = Header<"unbind">;
export type UnbindResp = Header<"unbind_resp">;
export type GenericNack = Header<"generic_nack">;

export type BindRequest = BindTransmitter | BindReceiver | BindTransceiver;
export type BindResponse = BindTransmitterResp | BindReceiverResp | BindTransceiverResp;
export type RequestPdu =
  | BindRequest
  | SubmitSm
  | DeliverSm
  | DataSm
  | QuerySm
  | CancelSm
  | EnquireLink
  | Unbind;
export type ResponsePdu =
  | BindResponse
  | SubmitSmResp
  | DeliverSmResp
  | DataSmResp
  | QuerySmResp
  | CancelSmResp
  | EnquireLinkResp
  | UnbindResp
  | GenericNack;
export type Pdu = RequestPdu | ResponsePdu;

export type RequestCommand = RequestPdu["command"];

/** The response each request gets (a generic_nack may come instead: see the session). */
export type ResponseMap = {
  bind_transmitter: BindTransmitterResp;
  bind_receiver: BindReceiverResp;
  bind_transceiver: BindTransceiverResp;
  submit_sm: SubmitSmResp;
  deliver_sm: DeliverSmResp;
  data_sm: DataSmResp;
  query_sm: QuerySmResp;
  cancel_sm: CancelSmResp;
  enquire_link: EnquireLinkResp;
  unbind: UnbindResp;
};

type WithoutHeader<T> = T extends unknown ? Omit<T, "sequenceNumber" | "commandStatus"> : never;

/** A request as passed to `session.request()`: the session sets sequence number and status. */
export type OutgoingRequest = WithoutHeader<RequestPdu>;

/** What `session.respond()` takes: any body field of the response, and its command_status. */
export type ResponseFields<C extends RequestCommand> = C extends RequestCommand
  ? Partial<Omit<ResponseMap[C], "command" | "sequenceNumber">>
  : never;

export const BIND_COMMAND = {
  transmitter: "bind_transmitter",
  receiver: "bind_receiver",
  transceiver: "bind_transceiver",
} as const satisfies Record<BindMode, BindRequest["command"]>;

export function bindModeOf(command: BindRequest["command"]): BindMode {
  return command === "bind_transmitter"
    ? "transmitter"
    : command === "bind_receiver"
      ? "receiver"
      : "transceiver";
}

export function isBindRequest(pdu: Pdu): pdu is BindRequest {
  return (
    pdu.command === "bind_transmitter" ||
    pdu.command === "bind_receiver" ||
    pdu.command === "bind_transceiver"
  );
}

/** The outgoing form of one request command. */
export type Outgoing<C extends RequestCommand> = Extract<OutgoingRequest, { command: C }>;
