import { isMessageId, MESSAGE_STATUSES, type MessageStatus } from "@smsgw/contracts";

/** The message log's filters as the page's form sends them (all optional strings). */
export interface LogQuery {
  status?: string;
  to?: string;
  /** Sender ID (the API's `from`; here `from` is the first day). */
  sender?: string;
  from?: string;
  until?: string;
  messageId?: string;
  after?: string;
}

export interface ParsedLogFilter {
  status?: MessageStatus;
  to?: string;
  /** Sender ID, exact. */
  from?: string;
  since?: Date;
  until?: Date;
  messageId?: string;
}

/**
 * Reads the log's filter form: status from the vocabulary, destination as E.164 (spaces
 * allowed), a sender ID as sent (up to 20 characters), dates as YYYY-MM-DD (UTC, `until` inclusive), a messageId. A bad field is a
 * problem shown beside the form, never a 500.
 */
export function parseLogFilter(query: LogQuery): { filter: ParsedLogFilter; problems: string[] } {
  const filter: ParsedLogFilter = {};
  const problems: string[] = [];
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const status = text(query.status);
  if (status) {
    if ((MESSAGE_STATUSES as readonly string[]).includes(status))
      filter.status = status as MessageStatus;
    else problems.push(`Status must be one of ${MESSAGE_STATUSES.join(", ")}.`);
  }
  const to = text(query.to).replace(/[\s()-]/g, "");
  if (to) {
    if (/^\+[1-9][0-9]{3,14}$/.test(to)) filter.to = to;
    else problems.push("Destination must be in international form, e.g. +37256789045.");
  }
  const sender = text(query.sender);
  if (sender) {
    if (sender.length <= 20) filter.from = sender;
    else problems.push("Sender is at most 20 characters.");
  }
  const day = (value: string, name: string, plusDays: number) => {
    if (!value) return undefined;
    const at = /^\d{4}-\d\d-\d\d$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
    const date = new Date(at + plusDays * 86_400_000);
    // Postgres refuses the ISO text of year 0 and of year 10000 (9999-12-31 plus the day
    // `until` adds): outside years 1-9999 a date is a bad field, not a failed query.
    const year = date.getUTCFullYear();
    if (Number.isNaN(at) || year < 1 || year > 9999) {
      problems.push(`${name} must be a date such as 2026-11-25.`);
      return undefined;
    }
    return date;
  };
  const since = day(text(query.from), "From", 0);
  const until = day(text(query.until), "Until", 1);
  if (since) filter.since = since;
  if (until) filter.until = until;
  const messageId = text(query.messageId);
  if (messageId) {
    if (isMessageId(messageId)) filter.messageId = messageId;
    else problems.push("Message ID looks like msg_ followed by 26 letters and digits.");
  }
  return { filter, problems };
}
