export const SmsTextErrorCode = {
  NotGsm7Encodable: "NOT_GSM7_ENCODABLE",
  MalformedPayload: "MALFORMED_PAYLOAD",
  InvalidConcatHeader: "INVALID_CONCAT_HEADER",
} as const;
export type SmsTextErrorCode = (typeof SmsTextErrorCode)[keyof typeof SmsTextErrorCode];

/** Base of the errors this package throws; `code` tells them apart. All are permanent. */
export class SmsTextError extends Error {
  override name = "SmsTextError";
  readonly code: SmsTextErrorCode;

  constructor(code: SmsTextErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A character outside the GSM-7 basic and extension tables, where GSM-7 was required. */
export class NotGsm7EncodableError extends SmsTextError {
  override name = "NotGsm7EncodableError";
  /** The offending character (a whole code point). */
  readonly character: string;
  /** Its UTF-16 index in the text. */
  readonly index: number;

  constructor(character: string, index: number) {
    const codePoint = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    super(
      SmsTextErrorCode.NotGsm7Encodable,
      `U+${codePoint} at index ${index} is not in the GSM 03.38 alphabet`,
    );
    this.character = character;
    this.index = index;
  }
}

/** Bytes that are not a valid payload in the encoding they were decoded as. */
export class MalformedPayloadError extends SmsTextError {
  override name = "MalformedPayloadError";
  constructor(message: string) {
    super(SmsTextErrorCode.MalformedPayload, message);
  }
}

/** A concatenation header that cannot be built (reference, total or sequence out of range). */
export class InvalidConcatHeaderError extends SmsTextError {
  override name = "InvalidConcatHeaderError";
  constructor(message: string) {
    super(SmsTextErrorCode.InvalidConcatHeader, message);
  }
}
