import { toDecimal } from "@smsgw/contracts";
import type { MessageView } from "./message-view.ts";

/** The export's header row (api.md section 5), in column order. */
export const MESSAGE_CSV_COLUMNS = [
  "messageId",
  "status",
  "to",
  "from",
  "parts",
  "cost",
  "currency",
  "createdAt",
  "updatedAt",
  "errorCode",
] as const;

/** CRLF ends every record, as RFC 4180 says: spreadsheets and parsers all read it. */
const EOL = "\r\n";

export const MESSAGE_CSV_HEADER = `${MESSAGE_CSV_COLUMNS.join(",")}${EOL}`;

/** One message as a CSV record: cost in currency units, a missing error code empty. */
export function messageCsvRecord(view: MessageView): string {
  const fields = [
    view.messageId,
    view.status,
    view.to,
    view.from,
    String(view.parts),
    String(toDecimal(view.cost)),
    view.currency,
    view.createdAt,
    view.updatedAt,
    view.errorCode ?? "",
  ];
  return `${fields.map(csvField).join(",")}${EOL}`;
}

/**
 * RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
 * The sender ID is the customer's own text and the error code a carrier's, so either may
 * hold any of them. A field a spreadsheet would run as a formula (it starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return: an alphanumeric sender may be `=A1*100`) gets a
 * leading `'` (OWASP's guard against CSV injection); a plain number (`+37256789045`) does not.
 */
export function csvField(value: string): string {
  const inert = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** The export's file name: the account and when it was asked for, safe in a header. */
export function messageCsvFileName(accountId: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replaceAll(":", "").replace("T", "-");
  return `messages-${accountId.replace(/[^A-Za-z0-9_-]/g, "")}-${stamp}.csv`;
}

/** The header, then each page of messages as one chunk of records. */
export async function* messageCsvChunks(
  pages: AsyncIterable<readonly MessageView[]>,
): AsyncGenerator<string> {
  yield MESSAGE_CSV_HEADER;
  for await (const page of pages) yield page.map(messageCsvRecord).join("");
}
