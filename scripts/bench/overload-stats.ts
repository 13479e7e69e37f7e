import { type Summary, summarize } from "./stats.ts";

/**
 * The overload steps' numbers (issue 17): offered 3× and 5× the measured saturation, the
 * gateway must answer fast and honestly. Pure: the step's raw results come in.
 */
export interface OverloadFigures {
  sent: number;
  accepted: number;
  /** 429 rate_limit answers (at capacity, or an account's limit). */
  refused: number;
  /** 5xx answers and connection errors: neither accepted nor refused at the door. */
  failed: number;
  api: Summary;
  /** Share of answers within 200 ms, measured from when each request was due. */
  shareWithin200ms: number;
  shareRefused: number;
  /** Accepted messages without a final report when the drain ended. */
  acceptedNotFinal: number;
  /** Charges made during the step for messages the client did not hear `success` for. */
  chargedNotAccepted: number;
  /** CPU of all processes but the load generator per refused request, estimated (below). */
  cpuMsPerRefused: number;
  verdict: { answersFast: boolean; everyAcceptedFinal: boolean; noRefusedCharged: boolean };
}

export const FAST_MS = 200;
/** api.md / issue 17: at least this share of answers within FAST_MS. */
export const FAST_SHARE = 0.99;

export function shareWithin(latenciesMs: readonly number[], limitMs: number): number {
  if (latenciesMs.length === 0) return Number.NaN;
  return latenciesMs.filter((ms) => ms <= limitMs).length / latenciesMs.length;
}

/** Answers by "<http> <status>" (the bench's error keys): the 429s, and the rest that failed. */
export function countRefusals(errors: Readonly<Record<string, number>>) {
  let refused = 0;
  let failed = 0;
  for (const [key, count] of Object.entries(errors)) {
    if (key.startsWith("429 ")) refused += count;
    else if (/^5\d\d /.test(key) || key === "connection" || key === "timeout") failed += count;
  }
  return { refused, failed };
}

/**
 * CPU per refused request: the step's CPU less what its accepted messages cost at the
 * saturation step's CPU per message, over the refusals. An estimate (accepted messages cost
 * about the same under overload), good enough to show a refusal is a small fraction of an
 * accepted message's work.
 */
export function cpuPerRefused(
  cpuMs: number,
  accepted: number,
  refused: number,
  cpuMsPerAccepted: number,
): number {
  if (refused === 0) return Number.NaN;
  return Math.max(0, cpuMs - accepted * cpuMsPerAccepted) / refused;
}

export function overloadFigures(input: {
  sent: number;
  accepted: number;
  errors: Readonly<Record<string, number>>;
  latenciesMs: readonly number[];
  acceptedNotFinal: number;
  chargedNotAccepted: number;
  cpuMs: number;
  cpuMsPerAccepted: number;
}): OverloadFigures {
  const { refused, failed } = countRefusals(input.errors);
  const shareWithin200ms = shareWithin(input.latenciesMs, FAST_MS);
  return {
    sent: input.sent,
    accepted: input.accepted,
    refused,
    failed,
    api: summarize(input.latenciesMs),
    shareWithin200ms,
    shareRefused: input.sent > 0 ? refused / input.sent : Number.NaN,
    acceptedNotFinal: input.acceptedNotFinal,
    chargedNotAccepted: input.chargedNotAccepted,
    cpuMsPerRefused: cpuPerRefused(input.cpuMs, input.accepted, refused, input.cpuMsPerAccepted),
    verdict: {
      answersFast: shareWithin200ms >= FAST_SHARE,
      everyAcceptedFinal: input.acceptedNotFinal === 0,
      // A charge without success can only come from a server error after the charge
      // (refunded by pricing's sweep); a 429 is answered before pricing is asked.
      noRefusedCharged: input.chargedNotAccepted <= failed,
    },
  };
}
