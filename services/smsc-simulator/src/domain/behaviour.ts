import type { ReceiptStat } from "@smsgw/smpp";
import type { Outcome } from "./outcomes.ts";

/** A receipt delay: fixed, or uniform between two bounds. */
export type Delay = number | { minMs: number; maxMs: number };

/** One weighted receipt outcome; stat "none" sends no receipt at all. */
export interface ReceiptChoice {
  stat: ReceiptStat | "none";
  err: string;
  weight: number;
}

/** A submit refused with `commandStatus` with probability `rate` (0..1). */
export interface SubmitError {
  commandStatus: number;
  rate: number;
}

/** What a carrier does for the destinations of one prefix, beyond the fixed `Outcome`. */
export interface Profile extends Outcome {
  /** Weighted receipt outcomes; absent: the fixed stat/err. */
  receipts?: ReceiptChoice[] | undefined;
  /** Refusals drawn before anything else; absent: only the fixed commandStatus. */
  submitErrors?: SubmitError[] | undefined;
  /** Overrides the carrier's receipt delay for this prefix. */
  receiptDelayMs?: Delay | undefined;
}

export type SubmitDecision =
  | { kind: "refuse"; commandStatus: number }
  | { kind: "accept"; receipt: { stat: ReceiptStat; err: string } | null; delayMs: number };

/**
 * What happens to one submit, drawn with `random` (in [0, 1), called at most three times):
 * a fixed refusal, else a drawn submit error, else accepted with a drawn receipt and delay.
 */
export function decideSubmit(
  profile: Profile,
  carrierDelay: Delay,
  random: () => number,
): SubmitDecision {
  if (profile.commandStatus !== 0) return { kind: "refuse", commandStatus: profile.commandStatus };
  if (profile.submitErrors && profile.submitErrors.length > 0) {
    let draw = random();
    for (const e of profile.submitErrors) {
      if (draw < e.rate) return { kind: "refuse", commandStatus: e.commandStatus };
      draw -= e.rate;
    }
  }
  const delayMs = drawDelay(profile.receiptDelayMs ?? carrierDelay, random);
  const choice =
    profile.receipts && profile.receipts.length > 0
      ? pickWeighted(profile.receipts, random())
      : profile;
  if (choice.stat === "none") return { kind: "accept", receipt: null, delayMs };
  return { kind: "accept", receipt: { stat: choice.stat, err: choice.err }, delayMs };
}

export function drawDelay(delay: Delay, random: () => number): number {
  if (typeof delay === "number") return delay;
  return Math.round(delay.minMs + (delay.maxMs - delay.minMs) * random());
}

function pickWeighted<T extends { weight: number }>(choices: readonly T[], draw: number): T {
  const total = choices.reduce((sum, c) => sum + c.weight, 0);
  let point = draw * total;
  for (const choice of choices) {
    if (point < choice.weight) return choice;
    point -= choice.weight;
  }
  return choices[choices.length - 1] as T;
}

/**
 * A fixed one-second window per carrier: past `tps` submits in the current second, the
 * answer is ESME_RTHROTTLED (as most SMSCs count). Pure: the caller passes the clock.
 */
export function createTpsWindow() {
  let second = -1;
  let count = 0;
  return {
    /** True when this submit fits under `tps` (0 = no limit). */
    admit(nowMs: number, tps: number): boolean {
      if (tps <= 0) return true;
      const s = Math.floor(nowMs / 1000);
      if (s !== second) {
        second = s;
        count = 0;
      }
      count += 1;
      return count <= tps;
    },
  };
}

/** The id as the receipt writes it: some carriers answer in hex and report in decimal. */
export function receiptIdFor(
  id: string,
  idBase: "hex" | "decimal",
  receiptIdBase: "same" | "hex" | "decimal",
): string {
  if (receiptIdBase === "same" || receiptIdBase === idBase) return id;
  const value = BigInt(idBase === "hex" ? `0x${id}` : id);
  return receiptIdBase === "hex" ? value.toString(16) : value.toString(10);
}
