import { isRealCursorTime } from "@smsgw/contracts";

/** Where a page of inbound messages (newest first) stopped: the last one's arrival and id. */
export interface InboundCursor {
  receivedAt: string;
  id: string;
}

export function encodeCursor(cursor: InboundCursor): string {
  return Buffer.from(`${cursor.receivedAt}|${cursor.id}`, "utf8").toString("base64url");
}

/**
 * Where a page of an opt-out list (oldest first) stopped: the last entry's time and its
 * revision in the bucket (the tie-break). Not its number: a cursor travels in URLs and access
 * logs, and an opted-out person's number must not (api.md section 7).
 */
export interface OptOutCursor {
  since: string;
  revision: number;
}

export function encodeOptOutCursor(cursor: OptOutCursor): string {
  return Buffer.from(`${cursor.since}|${cursor.revision}`, "utf8").toString("base64url");
}

/** null when it is not a cursor this API handed out. */
export function decodeOptOutCursor(text: string): OptOutCursor | null {
  const decoded = Buffer.from(text, "base64url").toString("utf8");
  const [since, revision, ...rest] = decoded.split("|");
  if (rest.length > 0 || !since || !revision || !/^[0-9]{1,15}$/.test(revision)) return null;
  if (Number.isNaN(Date.parse(since))) return null;
  return { since, revision: Number(revision) };
}

/** The time as encodeCursor writes it (an ISO instant in UTC). */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

/**
 * null when it is not a cursor this API handed out. Its time goes to Postgres as a
 * timestamptz: one Date.parse takes but Postgres does not ("1", 31 February) is no cursor.
 */
export function decodeCursor(text: string): InboundCursor | null {
  const decoded = Buffer.from(text, "base64url").toString("utf8");
  const [receivedAt, id, ...rest] = decoded.split("|");
  if (rest.length > 0 || !receivedAt || !id) return null;
  if (!ISO_UTC.test(receivedAt) || !isRealCursorTime(receivedAt)) return null;
  if (!/^in_[0-9A-Z]{26}$/.test(id)) return null;
  return { receivedAt, id };
}
