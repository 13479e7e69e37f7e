// @smsgw/sms-text: GSM 03.38 / UCS-2 encoding and splitting of SMS text. Pure, no I/O.

export { type ConcatInfo, concatUdh, parseConcatUdh } from "./concat-udh.ts";
export { encodePart } from "./encode-part.ts";
export { detectEncoding, isGsm7BasicOnly, type SmsEncoding } from "./encoding.ts";
export {
  InvalidConcatHeaderError,
  MalformedPayloadError,
  NotGsm7EncodableError,
  SmsTextError,
  SmsTextErrorCode,
} from "./errors.ts";
export { decodeGsm7Unpacked, encodeGsm7Unpacked } from "./gsm7-codec.ts";
export { GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE } from "./gsm7-tables.ts";
export { type ConcatMethod, SMS_LIMITS } from "./limits.ts";
export { decodeReceivedText, recordableText } from "./received-text.ts";
export {
  countParts,
  type DataCoding,
  type PartCount,
  type SegmentedText,
  type SegmentOptions,
  type SmsPart,
  segment,
} from "./segment.ts";
export { decodeUcs2, encodeUcs2 } from "./ucs2-codec.ts";
