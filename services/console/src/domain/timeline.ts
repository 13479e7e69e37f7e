import { money } from "./format.ts";

/** One step of a message's trail as the message page shows it. */
export interface TimelineEntry {
  at: string;
  type: string;
  title: string;
  detail: string;
  tone: "ok" | "bad" | "info";
}

type Data = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : v == null ? "" : String(v));
const num = (v: unknown) => (typeof v === "number" ? v : 0);

function whyRouted(d: Data): string {
  const reason = (d.reason ?? {}) as Data;
  const candidates = Array.isArray(reason.candidates) ? reason.candidates.join(", ") : "";
  return `attempt ${num(d.attempt)}; prefix ${str(reason.matchedPrefix)} matched; candidates: ${candidates}`;
}

/** The charge rides on acceptance (ADR 0009); older trails have a separate Charged entry. */
function charge(d: Data): string {
  if (typeof d.pricePerPart !== "number") return "";
  const currency = str(d.currency);
  return `; charged ${money(num(d.cost), currency)} (${num(d.parts)} × ${money(d.pricePerPart, currency)})`;
}

/**
 * Says what each event of the trail means, in the customer's words. Unknown types (a newer
 * producer) are shown by name rather than dropped: the trail is the audit record.
 */
export function describeEvent(event: {
  type: string;
  occurredAt: string;
  data: unknown;
}): TimelineEntry {
  const d = (event.data ?? {}) as Data;
  const base = { at: event.occurredAt, type: event.type };
  switch (event.type) {
    case "MessageAccepted":
      return {
        ...base,
        title: "Accepted",
        detail: `${num(d.parts)} part(s) to ${str(d.to)} from ${str(d.from)}${charge(d)}`,
        tone: "info",
      };
    case "MessageCharged":
      return {
        ...base,
        title: "Charged",
        detail: `${money(num(d.amount), str(d.currency))} (${num(d.parts)} × ${money(num(d.pricePerPart), str(d.currency))})`,
        tone: "info",
      };
    case "MessageRouted":
      return {
        ...base,
        title: `Routed to ${str(d.carrierId)}`,
        detail: whyRouted(d),
        tone: "info",
      };
    case "MessageSubmitted": {
      const parts = Array.isArray(d.parts) ? (d.parts as Data[]) : [];
      const ids = parts
        .map((p) => `part ${num(p.part)}: carrier id ${str(p.carrierMessageId)}`)
        .join("; ");
      // Since ADR 0009 the submission says why its carrier was chosen (no routed event).
      return {
        ...base,
        title: `Submitted to ${str(d.carrierId)}`,
        detail: d.reason ? `${whyRouted(d)}; ${ids}` : ids,
        tone: "ok",
      };
    }
    case "SubmitFailed":
      return {
        ...base,
        title: `Submit to ${str(d.carrierId)} failed`,
        detail: `${str(d.detail)}${d.retryable ? " (will try another route)" : ""}`,
        tone: "bad",
      };
    case "ReceiptReceived":
      return {
        ...base,
        title: `Receipt for part ${num(d.part)}: ${str(d.stat)}`,
        detail: `from ${str(d.carrierId)}${d.errorCode ? `, error ${str(d.errorCode)}` : ""}`,
        tone: d.stat === "DELIVRD" ? "ok" : "bad",
      };
    case "MessageFailed":
      return { ...base, title: `Failed: ${str(d.reason)}`, detail: str(d.detail), tone: "bad" };
    case "MessageRefunded":
      return {
        ...base,
        title: "Refunded",
        detail: `${money(num(d.amount), str(d.currency))} (${str(d.reason)})`,
        tone: "info",
      };
    case "ValidityExpired":
      return { ...base, title: "Expired", detail: `valid until ${str(d.validUntil)}`, tone: "bad" };
    case "WebhookAttempted":
      return {
        ...base,
        title: `Webhook (${str(d.status)}) attempt ${num(d.attempt)}: ${str(d.outcome)}`,
        detail: `${str(d.endpoint)} answered ${d.httpStatus ?? str(d.error)} in ${num(d.latencyMs)} ms`,
        tone: d.outcome === "delivered" ? "ok" : "bad",
      };
    default:
      return { ...base, title: event.type, detail: "", tone: "info" };
  }
}
