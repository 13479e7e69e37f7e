/**
 * The text form of a delivery receipt (SMPP 3.4 appendix B, as carriers really send it):
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
 * Keys are matched case-insensitively in any order ("Text:", "submit_date:"), values are
 * trimmed, `text:` takes the rest of the line. Dates stay raw (10 or 12 digits, SMSC local time).
 */
export type ReceiptText = {
  id: string;
  /** Upper-cased as received: DELIVRD, UNDELIV... (normalise with `normalizeStat`). */
  stat: string;
  /** "" when the carrier left it out. */
  err: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  text?: string;
};

const KEY = /(?:^|\s)(id|sub|dlvrd|submit[\s_]*date|done[\s_]*date|stat|err|text)\s*:/gi;

/**
 * Parses a receipt's text; null when there is no `id:` and `stat:` (so, not a receipt). The
 * text ends at a NUL: some SMSCs put the C-string terminator inside short_message, and a NUL
 * kept in `err` or `stat` would misread the receipt and could not be recorded (Postgres
 * refuses it). Other control characters in a value count as spaces.
 */
export function parseReceiptText(raw: string): ReceiptText | null {
  const end = raw.indexOf("\u0000");
  const input = (end < 0 ? raw : raw.slice(0, end)).replace(/\p{Cc}/gu, " ");
  const fields = new Map<string, string>();
  const matches = [...input.matchAll(KEY)];
  for (const [i, match] of matches.entries()) {
    const key = (match[1] ?? "").toLowerCase().replace(/[\s_]+/g, " ");
    if (fields.has(key)) continue;
    const start = match.index + match[0].length;
    if (key === "text") {
      fields.set(key, input.slice(start).trim());
      break;
    }
    const end = matches[i + 1]?.index ?? input.length;
    fields.set(key, input.slice(start, end).trim());
  }
  const id = fields.get("id");
  const stat = fields.get("stat");
  if (!id || !stat) return null;
  const receipt: ReceiptText = { id, stat: stat.toUpperCase(), err: fields.get("err") ?? "" };
  const optional = [
    ["sub", "sub"],
    ["dlvrd", "dlvrd"],
    ["submit date", "submitDate"],
    ["done date", "doneDate"],
    ["text", "text"],
  ] as const;
  for (const [key, name] of optional) {
    const value = fields.get(key);
    if (value !== undefined) receipt[name] = value;
  }
  return receipt;
}

export type ReceiptTextInput = {
  id: string;
  stat: string;
  err?: string;
  sub?: string;
  dlvrd?: string;
  submitDate: Date | string;
  doneDate: Date | string;
  text?: string;
};

/** The canonical form (what the simulator sends). Dates given as Date are written in UTC. */
export function formatReceiptText(r: ReceiptTextInput): string {
  const dlvrd = r.dlvrd ?? (r.stat === "DELIVRD" ? "001" : "000");
  return [
    `id:${r.id}`,
    `sub:${r.sub ?? "001"}`,
    `dlvrd:${dlvrd}`,
    `submit date:${formatDate(r.submitDate)}`,
    `done date:${formatDate(r.doneDate)}`,
    `stat:${r.stat}`,
    `err:${r.err ?? "000"}`,
    `text:${(r.text ?? "").slice(0, 20)}`,
  ].join(" ");
}

/** YYMMDDhhmm in UTC. */
export function formatReceiptDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}

function formatDate(date: Date | string): string {
  return typeof date === "string" ? date : formatReceiptDate(date);
}
