import type { ReceiptStat } from "@smsgw/smpp";

/**
 * What a simulated carrier does with a submit to a destination: refuse it with a
 * command_status, or accept it and later report `stat` / `err` in the receipt.
 */
export interface Outcome {
  /** E.164 prefix ("+3725550"); "" matches every number. */
  prefix: string;
  stat: ReceiptStat;
  err: string;
  /** 0 accepts the submit; anything else is the submit_sm_resp's command_status. */
  commandStatus: number;
}

export const DELIVERED: Outcome = { prefix: "", stat: "DELIVRD", err: "000", commandStatus: 0 };

/** The local stack's defaults: two test ranges that fail, everything else delivered. */
export const DEFAULT_OUTCOMES: readonly Outcome[] = [
  { prefix: "+3725550", stat: "UNDELIV", err: "001", commandStatus: 0 },
  { prefix: "+3725551", stat: "EXPIRED", err: "000", commandStatus: 0 },
];

const digitsOf = (address: string) => address.replace(/^\+/, "");

/**
 * The outcome whose prefix is the longest match for the destination. dest_addr arrives as
 * digits without '+', prefixes are written in E.164; both compare as digits.
 */
export function outcomeFor(outcomes: readonly Outcome[], destination: string): Outcome {
  const digits = digitsOf(destination);
  let best: Outcome = DELIVERED;
  let bestLength = -1;
  for (const outcome of outcomes) {
    const prefix = digitsOf(outcome.prefix);
    if (prefix.length > bestLength && digits.startsWith(prefix)) {
      best = outcome;
      bestLength = prefix.length;
    }
  }
  return best;
}

/**
 * registered_delivery's low bits: 1 = receipt on success or failure, 2 = on failure only,
 * 0 = none (3 is reserved; read as 1).
 */
export function wantsReceipt(registeredDelivery: number, stat: ReceiptStat): boolean {
  const asked = registeredDelivery & 0x03;
  if (asked === 0) return false;
  if (asked === 2) return stat !== "DELIVRD";
  return true;
}
