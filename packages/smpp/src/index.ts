// @smsgw/smpp: SMPP 3.4 over TCP, both sides (ESME client for the connector, SMSC server for
// the simulator). See README.md for the policies (window, timeouts, enquire_link, unbind).

export type { BindInput, MessageInput } from "./builders.ts";
export {
  bindRequest,
  buildResponse,
  dataSmOf,
  deliverSm,
  enquireLink,
  submitSm,
} from "./builders.ts";
export type { BindClientOptions } from "./client.ts";
export { bindClient } from "./client.ts";
export { decodePdu, encodePdu, HEADER_LENGTH, MAX_PDU_LENGTH } from "./codec.ts";
export type { CommandName } from "./command-id.ts";
export { CommandId } from "./command-id.ts";
export type { CommandStatusCode, CommandStatusName } from "./command-status.ts";
export { CommandStatus, commandStatusName } from "./command-status.ts";
export type { DecodedHeader } from "./errors.ts";
export {
  SmppBindError,
  SmppConnectError,
  SmppConnectionClosedError,
  SmppDecodeError,
  SmppEncodeError,
  SmppError,
  SmppGenericNackError,
  SmppResponseTimeoutError,
  SmppSessionStateError,
} from "./errors.ts";
export { FrameSplitter } from "./frame-splitter.ts";
export type { InboundInput } from "./inbound-pdu.ts";
export { inboundDeliverSm } from "./inbound-pdu.ts";
export type { MessageContent, PartOf } from "./message-content.ts";
export { readMessageContent } from "./message-content.ts";
export type { MessageIdBase } from "./message-id.ts";
export { normalizeCarrierMessageId } from "./message-id.ts";
export type {
  BindFields,
  BindMode,
  BindReceiver,
  BindReceiverResp,
  BindRequest,
  BindRespFields,
  BindResponse,
  BindTransceiver,
  BindTransceiverResp,
  BindTransmitter,
  BindTransmitterResp,
  CancelSm,
  CancelSmFields,
  CancelSmResp,
  DataSm,
  DataSmFields,
  DataSmResp,
  DeliverSm,
  DeliverSmResp,
  EnquireLink,
  EnquireLinkResp,
  GenericNack,
  MessageAddresses,
  MessageFields,
  MessageRespFields,
  Outgoing,
  OutgoingRequest,
  Pdu,
  QuerySm,
  QuerySmFields,
  QuerySmResp,
  QuerySmRespFields,
  RequestCommand,
  RequestPdu,
  ResponseFields,
  ResponseMap,
  ResponsePdu,
  SubmitSm,
  SubmitSmResp,
  Unbind,
  UnbindResp,
} from "./pdu.ts";
export { pduLogFields } from "./pdu-log.ts";
export type { Receipt, ReceiptStat } from "./receipt.ts";
export {
  type DeliveredContent,
  type DeliveredNotice,
  deliveredContentOf,
  isDeliveryReceipt,
  messageStateCode,
  normalizeStat,
  RECEIPT_STATS,
  readReceipt,
} from "./receipt.ts";
export type { ReceiptInput } from "./receipt-pdu.ts";
export { receiptDeliverSm } from "./receipt-pdu.ts";
export type { ReceiptText, ReceiptTextInput } from "./receipt-text.ts";
export { formatReceiptDate, formatReceiptText, parseReceiptText } from "./receipt-text.ts";
export type { SmppServer, SmppServerOptions } from "./server.ts";
export { createSmppServer } from "./server.ts";
export type {
  CloseInfo,
  IncomingRequest,
  SessionEvents,
  SessionOptions,
  SessionRole,
  SessionState,
} from "./session.ts";
export { SmppSession } from "./session.ts";
export { smppAbsoluteTime } from "./smpp-time.ts";
export type { CommandStatusAdvice, CommandStatusClass } from "./status-class.ts";
export { classifyCommandStatus, commandStatusAdvice } from "./status-class.ts";
export type { KnownTlvs, Tlv, TlvTagName } from "./tlv.ts";
export { findTlv, readKnownTlvs, TlvTag, tlv } from "./tlv.ts";
