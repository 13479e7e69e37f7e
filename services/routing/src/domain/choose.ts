import { senderKind } from "@smsgw/contracts";
import type { Candidate } from "./route-table.ts";

/**
 * The route choice (docs/adr/0004-route-choice.md): a pure, deterministic function of
 * the candidates, the sender, the live scores, the carriers' health, which carriers are
 * simulators, whether the message is a test account's, and the carriers already tried.
 * Each candidate gets a penalty tier; the lowest tier wins, then the lowest cost, then
 * the operator's priority, then the higher reliability, then the id.
 */

/** Final receipts (and retryable submit failures) seen in the rolling window. */
export interface CarrierScore {
  delivered: number;
  failed: number;
  /** Mean submit -> first receipt, or null when no latency was measured. */
  latencyMs: number | null;
}

/** up: binds up; unknown: no health record (counts as healthy); degraded: throttled, erring or unresponsive. */
export type HealthState = "up" | "unknown" | "degraded" | "down";

export interface ChoicePolicy {
  /** A carrier whose estimated delivery ratio is below this gets a penalty. */
  floor: number;
  /** The neutral prior a carrier with no receipts starts from … */
  prior: number;
  /** … weighted as this many receipts, so a few failures do not condemn a carrier. */
  priorWeight: number;
}

export const DEFAULT_POLICY: ChoicePolicy = { floor: 0.8, prior: 0.9, priorWeight: 10 };

export interface ChoiceInput {
  candidates: readonly Candidate[];
  sender: string;
  scores: ReadonlyMap<string, CarrierScore>;
  health: ReadonlyMap<string, HealthState>;
  /** Carriers whose connector says they are simulators (`CarrierHealth.simulated`). */
  simulated: ReadonlySet<string>;
  /** A test account's message: it may go to simulators only. */
  test: boolean;
  tried: readonly string[];
}

/**
 * Why a candidate cannot take this message: already tried; a real carrier for a test
 * account's message; a simulator for a live message while the route has a real carrier;
 * numeric-only for an alphanumeric sender.
 */
export type Exclusion = "tried" | "live_carrier" | "simulator" | "sender";

export interface Considered {
  carrierId: string;
  costPerPart: number;
  priority: number;
  /** Estimated delivery ratio, rounded to 3 decimals. */
  reliability: number;
  samples: number;
  latencyMs: number | null;
  health: HealthState;
  simulated: boolean;
  /** 0 best; +1 below the floor, +1 degraded health; 3 binds down. */
  tier: number;
  excluded?: Exclusion;
}

export type Choice =
  | { kind: "chosen"; carrierId: string; considered: Considered[] }
  | { kind: "none"; considered: Considered[] };

/** Beta-style estimate: (delivered + prior·w) / (final + w). A new carrier scores `prior`. */
export function reliabilityOf(score: CarrierScore | undefined, policy: ChoicePolicy): number {
  const delivered = score?.delivered ?? 0;
  const total = delivered + (score?.failed ?? 0);
  return (delivered + policy.prior * policy.priorWeight) / (total + policy.priorWeight);
}

export function tierOf(reliability: number, health: HealthState, policy: ChoicePolicy): number {
  if (health === "down") return 3;
  return (reliability < policy.floor ? 1 : 0) + (health === "degraded" ? 1 : 0);
}

export function chooseCarrier(input: ChoiceInput, policy: ChoicePolicy = DEFAULT_POLICY): Choice {
  // The contracts' one definition: anything but a numeric sender is alphanumeric.
  const alphanumeric = senderKind(input.sender) === "alphanumeric";
  // Real customers' messages never go to a simulator while the route has a real carrier,
  // even one that is down or already tried: a simulator would report a delivery that never
  // happened. A route of simulators only (the local stack) takes live traffic too.
  const routeHasRealCarrier = input.candidates.some((c) => !input.simulated.has(c.carrierId));
  const considered = input.candidates.map((candidate): Considered => {
    const score = input.scores.get(candidate.carrierId);
    const reliability = reliabilityOf(score, policy);
    const health = input.health.get(candidate.carrierId) ?? "unknown";
    const simulated = input.simulated.has(candidate.carrierId);
    const entry: Considered = {
      carrierId: candidate.carrierId,
      costPerPart: candidate.costPerPart,
      priority: candidate.priority,
      reliability: Math.round(reliability * 1000) / 1000,
      samples: score ? score.delivered + score.failed : 0,
      latencyMs: score?.latencyMs ?? null,
      health,
      simulated,
      tier: tierOf(reliability, health, policy),
    };
    if (input.tried.includes(candidate.carrierId)) entry.excluded = "tried";
    else if (input.test && !simulated) entry.excluded = "live_carrier";
    else if (!input.test && simulated && routeHasRealCarrier) entry.excluded = "simulator";
    else if (alphanumeric && !candidate.alphanumeric) entry.excluded = "sender";
    return entry;
  });
  const eligible = considered.filter((entry) => entry.excluded === undefined);
  eligible.sort(compare);
  const winner = eligible[0];
  return winner
    ? { kind: "chosen", carrierId: winner.carrierId, considered }
    : { kind: "none", considered };
}

function compare(a: Considered, b: Considered): number {
  return (
    a.tier - b.tier ||
    a.costPerPart - b.costPerPart ||
    a.priority - b.priority ||
    b.reliability - a.reliability ||
    (a.carrierId < b.carrierId ? -1 : a.carrierId > b.carrierId ? 1 : 0)
  );
}
