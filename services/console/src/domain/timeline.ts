import { isErrorCode, publicEventOf, type StoredTrailEvent } from "@smsgw/contracts";
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

/** The charge rides on acceptance (ADR 0009); older trails have a separate Charged entry. */
function charge(d: Data): string {
  if (typeof d.pricePerPart !== "number") return "";
  const currency = str(d.currency);
  return `; charged ${money(num(d.cost), currency)} (${num(d.parts)} × ${money(d.pricePerPart, currency)})`;
}

/** ", error unreachable" for a documented code, nothing otherwise. */
const error = (d: Data) => (isErrorCode(d.errorCode) ? `error ${d.errorCode}` : "");

/**
 * Says what each event of the trail means, in the customer's words, from its public view
 * only (`publicEventOf`, ADR 0017): the console is the customer's, so no carrier, carrier id,
 * routing reason or SMPP detail reaches the page, whatever the stored event holds. Unknown
 * types (a newer producer) are shown by name rather than dropped: the trail is the audit record.
 */
export function describeEvent(stored: StoredTrailEvent): TimelineEntry {
  const event = publicEventOf(stored);
  const d: Data = event.data;
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
      return { ...base, title: "Routed", detail: `attempt ${num(d.attempt)}`, tone: "info" };
    case "MessageSubmitted":
      return {
        ...base,
        title: "Submitted to the network",
        detail: `attempt ${num(d.attempt)}; ${num(d.parts)} part(s) accepted`,
        tone: "ok",
      };
    case "SubmitFailed":
      return {
        ...base,
        title: `Submit attempt ${num(d.attempt)} refused`,
        detail: `${error(d)}${d.retryable ? " (will try another route)" : ""}`,
        tone: "bad",
      };
    case "ReceiptReceived":
      return {
        ...base,
        title: `Receipt for part ${num(d.part)}: ${str(d.status)}`,
        detail: error(d),
        tone: d.status === "delivered" ? "ok" : d.status === "pending" ? "info" : "bad",
      };
    case "MessageFailed":
      return { ...base, title: `Failed: ${str(d.reason)}`, detail: error(d), tone: "bad" };
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
