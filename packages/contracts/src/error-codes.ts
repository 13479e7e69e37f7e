import { z } from "zod";

/**
 * The documented, stable `errorCode`s (api.md section 7, docs/api.md "Error codes", ADR 0017):
 * the only values a customer ever sees, in the message resource, webhooks, the event trail,
 * the console and SMPP receipts. The carrier's raw code (a receipt's `err:`, an SMPP command
 * status) stays in the stored events, for operators. A code is added, never renamed or removed.
 */
export const ERROR_CODES = [
  "unreachable",
  "unknown_subscriber",
  "blocked_by_carrier",
  "invalid_number",
  "invalid_sender",
  "rejected",
  "expired",
  "no_route",
  "carrier_error",
  "canceled",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** What each code means, in the customer's words (docs, OpenAPI, console). */
export const ERROR_CODE_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  unreachable:
    "the handset could not be reached (switched off, out of coverage, busy or its memory full)",
  unknown_subscriber: "the number is not in service on the network",
  blocked_by_carrier: "the network barred or filtered the message",
  invalid_number: "the network refused the destination number",
  invalid_sender: "the network refused the sender (from)",
  rejected: "the network refused the message for another reason (content, format, service)",
  expired: "the message's validity ran out before it was delivered",
  no_route: "no carrier delivers to this destination for this account",
  carrier_error: "the network failed or gave no reason",
  canceled: "the account canceled the scheduled message before its sendAt: never sent, refunded",
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A carrier's own meaning of some receipt `err:` values (its config `receiptErrors`), when it
 * does not follow the GSM MAP numbering of `RECEIPT_ERRS`. Keys are the err as the carrier
 * writes it; "1" and "001" are the same key.
 */
export type ReceiptErrorOverrides = Readonly<Record<string, ErrorCode>>;

/**
 * The receipt `err:` values most carriers take from GSM MAP (3GPP TS 29.002 error codes,
 * as SMPP's network_error_code of type GSM carries them), by number.
 */
const RECEIPT_ERRS: ReadonlyMap<number, ErrorCode> = new Map([
  [1, "unknown_subscriber"], // unknownSubscriber
  [5, "unknown_subscriber"], // unidentifiedSubscriber
  [6, "unreachable"], // absentSubscriberSM
  [9, "rejected"], // illegalSubscriber
  [11, "rejected"], // teleserviceNotProvisioned
  [12, "rejected"], // illegalEquipment
  [13, "blocked_by_carrier"], // callBarred
  [21, "rejected"], // facilityNotSupported
  [27, "unreachable"], // absentSubscriber
  [31, "unreachable"], // subscriberBusyForMT-SMS
  [32, "unreachable"], // sm-DeliveryFailure (memory capacity exceeded and the like)
  [33, "unreachable"], // messageWaitingListFull
  [34, "carrier_error"], // systemFailure
  [35, "carrier_error"], // dataMissing
  [36, "carrier_error"], // unexpectedDataValue
]);

/** "001" and "1" are one key; anything not decimal digits is its own key. */
function errKey(err: string): string {
  const trimmed = err.trim();
  return /^\d{1,9}$/.test(trimmed) ? String(Number(trimmed)) : trimmed;
}

function overrideOf(err: string, overrides: ReceiptErrorOverrides): ErrorCode | undefined {
  const key = errKey(err);
  for (const [written, code] of Object.entries(overrides)) {
    if (errKey(written) === key && isErrorCode(code)) return code;
  }
  return undefined;
}

/** The documented code of a receipt's `err:` alone (the carrier's overrides first). */
export function errorCodeOfReceiptErr(
  err: string,
  overrides: ReceiptErrorOverrides = {},
): ErrorCode | undefined {
  const key = errKey(err);
  return (
    overrideOf(err, overrides) ?? (/^\d+$/.test(key) ? RECEIPT_ERRS.get(Number(key)) : undefined)
  );
}

/**
 * The documented code of one receipt: none for a delivered or not-final one, `expired` for
 * EXPIRED, else what its `err:` says (the carrier's overrides first, then GSM MAP), else
 * `rejected` for REJECTD and `carrier_error` for the rest (UNDELIV without a known err,
 * DELETED, SKIPPED).
 */
export function errorCodeOfReceipt(
  receipt: { stat: string; err: string | null },
  overrides: ReceiptErrorOverrides = {},
): ErrorCode | null {
  switch (receipt.stat) {
    case "EXPIRED":
      return "expired";
    case "UNDELIV":
    case "REJECTD":
    case "DELETED":
    case "SKIPPED": {
      const known = receipt.err ? errorCodeOfReceiptErr(receipt.err, overrides) : undefined;
      return known ?? (receipt.stat === "REJECTD" ? "rejected" : "carrier_error");
    }
    default:
      // DELIVRD, and the states that are not final (ENROUTE, ACCEPTD, UNKNOWN, …).
      return null;
  }
}

/**
 * The documented code of a submit_sm refused with this SMPP command status (reference.md's
 * classes): the address errors say which address, the permanent ones are `rejected`, and
 * the transient, unclear, session and vendor-specific ones are `carrier_error`.
 */
export function errorCodeOfCommandStatus(status: number): ErrorCode {
  switch (status) {
    case 0x0a: // ESME_RINVSRCADR
    case 0x48: // ESME_RINVSRCTON
    case 0x49: // ESME_RINVSRCNPI
      return "invalid_sender";
    case 0x0b: // ESME_RINVDSTADR
    case 0x50: // ESME_RINVDSTTON
    case 0x51: // ESME_RINVDSTNPI
      return "invalid_number";
    case 0x01: // ESME_RINVMSGLEN
    case 0x43: // ESME_RINVESMCLASS
    case 0x61: // ESME_RINVSCHED
    case 0x62: // ESME_RINVEXPIRY
    case 0x65: // ESME_RX_P_APPN
    case 0x66: // ESME_RX_R_APPN
      return "rejected";
    default:
      // 0xC0-0xC4: a TLV of ours the carrier refused: permanent, and the message's fault.
      return status >= 0xc0 && status <= 0xc4 ? "rejected" : "carrier_error";
  }
}

/**
 * The documented code for an errorCode as stored before ADR 0017 (or by a newer producer):
 * a documented code as it is, an SMPP status in hex (`0x0000000b`) by
 * `errorCodeOfCommandStatus`, a receipt `err:` by GSM MAP, anything else `carrier_error`.
 * Old events, projection rows and status changes read through this, so no customer sees a
 * raw code whatever wrote it.
 */
export function publicErrorCode(stored: string | null | undefined): ErrorCode | null {
  if (stored === null || stored === undefined || stored === "") return null;
  if (isErrorCode(stored)) return stored;
  if (/^0x[0-9a-f]{1,8}$/i.test(stored)) return errorCodeOfCommandStatus(Number(stored));
  return errorCodeOfReceiptErr(stored) ?? "carrier_error";
}
