import { addressingFor, type SmppAddress } from "./addressing.ts";
import { buildParts, type ConcatStyle, type SubmitPart } from "./parts.ts";

export interface RoutedContent {
  from: string;
  to: string;
  text: string;
  encoding: "gsm7" | "ucs2";
  parts: number;
}

export type SubmitPlan =
  | {
      ok: true;
      source: SmppAddress;
      destination: SmppAddress;
      parts: SubmitPart[];
      /** Set when we send other parts than were counted at acceptance (billed): worth a log. */
      mismatch?: string;
    }
  | { ok: false; problem: string };

/** Everything a message's submit_sm PDUs need, or why it can never be sent as it is. */
export function planSubmit(
  content: RoutedContent,
  ref: number,
  style: ConcatStyle = "udh8",
): SubmitPlan {
  const addressing = addressingFor(content.from, content.to);
  if (!addressing.ok) return addressing;
  const built = buildParts(content.text, ref, style);
  if (!built.ok) return built;
  const plan: SubmitPlan = {
    ok: true,
    source: addressing.source,
    destination: addressing.destination,
    parts: built.parts,
  };
  // message_payload sends one PDU for all the parts counted: not a mismatch.
  const sent = style === "payload" ? content.parts : built.parts.length;
  if (sent !== content.parts || built.encoding !== content.encoding) {
    plan.mismatch =
      `counted ${content.parts} ${content.encoding} part(s) at acceptance, ` +
      `sending ${built.parts.length} ${built.encoding}`;
  }
  return plan;
}
