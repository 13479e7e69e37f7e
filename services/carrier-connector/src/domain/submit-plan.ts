import {
  type AddressRules,
  addressingFor,
  DEFAULT_ADDRESS_RULES,
  type SmppAddress,
} from "./addressing.ts";
import { buildParts, type ConcatStyle, type GsmDataCoding, type SubmitPart } from "./parts.ts";

export interface RoutedContent {
  from: string;
  to: string;
  text: string;
  encoding: "gsm7" | "ucs2";
  parts: number;
  /** The header the parts were counted (billed) with; absent = udh8 (ADR 0011). */
  concat?: "udh8" | "udh16" | undefined;
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
export interface CarrierRules {
  concat: ConcatStyle;
  gsmDataCoding: GsmDataCoding;
  addressing: AddressRules;
}

export const DEFAULT_CARRIER_RULES: CarrierRules = {
  concat: "udh8",
  gsmDataCoding: 0,
  addressing: DEFAULT_ADDRESS_RULES,
};

export function planSubmit(
  content: RoutedContent,
  ref: number | (() => number),
  rules: CarrierRules = DEFAULT_CARRIER_RULES,
): SubmitPlan {
  const style = rules.concat;
  const addressing = addressingFor(content.from, content.to, rules.addressing);
  if (!addressing.ok) return addressing;
  const built = buildParts(content.text, ref, style, rules.gsmDataCoding, content.concat);
  if (!built.ok) return built;
  const plan: SubmitPlan = {
    ok: true,
    source: addressing.source,
    destination: addressing.destination,
    parts: built.parts,
  };
  // message_payload sends one PDU standing for every part: count what the PDUs cover.
  const sent = built.parts.reduce((sum, part) => sum + part.covers, 0);
  if (sent !== content.parts || built.encoding !== content.encoding) {
    plan.mismatch =
      `counted ${content.parts} ${content.encoding} part(s) at acceptance, ` +
      `sending ${built.parts.length} ${built.encoding}`;
  }
  return plan;
}
