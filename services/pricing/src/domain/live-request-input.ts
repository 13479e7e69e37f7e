import { LiveRequestForm } from "@smsgw/contracts";

/** A checked value, or the one problem to show whoever typed it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const REASON_MAX = 500;

/** The customer's request for live sending, trimmed; the first problem in words otherwise. */
export function checkLiveRequestForm(form: unknown): Checked<LiveRequestForm> {
  const parsed = LiveRequestForm.safeParse(form);
  if (parsed.success) return { ok: true, value: parsed.data };
  const field = String(parsed.error.issues[0]?.path[0] ?? "form");
  const problems: Record<string, string> = {
    company: "Give the company name (at most 200 characters).",
    monthlyVolume: "Give the expected monthly volume as a whole number of messages (at least 1).",
    useCase: "Describe the use case (at most 2,000 characters).",
  };
  return { ok: false, problem: problems[field] ?? "The request could not be read." };
}

/** A decline needs a reason the customer can act on; bounded like the rest of the row. */
export function checkDeclineReason(reason: string): Checked<string> {
  const trimmed = reason.trim();
  if (trimmed === "") return { ok: false, problem: "a decline needs a reason (--reason)" };
  if (trimmed.length > REASON_MAX) {
    return { ok: false, problem: `the reason is over ${REASON_MAX} characters` };
  }
  return { ok: true, value: trimmed };
}
