import { type Bucket, type TakeDecision, take } from "@smsgw/message-acceptance";

/**
 * Fairness under shedding: who gets the ceiling. Weighted max-min fairness (water filling):
 * every account may send up to its share of the ceiling, shares in proportion to its weight
 * (its rate limit); what an account does not use is shared among the others. So an account
 * below its share is never refused, and the refusals fall on the heaviest accounts' excess.
 */
export interface Demand {
  accountId: string;
  /** What the account offered during the last tick, per second. */
  offeredPerSec: number;
  /** Its weight: its rate limit per second. */
  weight: number;
}

/**
 * The rate each capped account may send at, per second. Accounts not in the answer are not
 * capped: their demand fits in their share.
 */
export function fairCaps(demands: readonly Demand[], ceilingPerSec: number): Map<string, number> {
  const caps = new Map<string, number>();
  const valid = demands.filter((d) => d.offeredPerSec > 0 && d.weight > 0);
  // Lightest first (demand per unit of weight): they are served in full while they fit.
  const order = [...valid].sort((a, b) => a.offeredPerSec / a.weight - b.offeredPerSec / b.weight);
  let left = Math.max(0, ceilingPerSec);
  let weightLeft = valid.reduce((sum, d) => sum + d.weight, 0);
  let i = 0;
  for (; i < order.length; i++) {
    const demand = order[i] as Demand;
    const share = (left * demand.weight) / weightLeft;
    if (demand.offeredPerSec > share) break;
    left -= demand.offeredPerSec;
    weightLeft -= demand.weight;
  }
  // The rest are all over their share: each gets the same level per unit of weight.
  const level = weightLeft > 0 ? left / weightLeft : 0;
  for (; i < order.length; i++) {
    const demand = order[i] as Demand;
    caps.set(demand.accountId, level * demand.weight);
  }
  return caps;
}

const ADMIT: TakeDecision = { allowed: true };

/**
 * One send of a capped account (or of none): admitted while its bucket at its cap has a
 * token per message (a batch takes `count`). The bucket holds one second of the cap, so the cap
 * is kept over any second; a batch larger than that waits until shedding ends. `cap` undefined
 * means the account is not capped.
 */
export function admitSend(
  bucket: Bucket,
  cap: number | undefined,
  now: number,
  count = 1,
): TakeDecision {
  if (cap === undefined) return ADMIT;
  const ratePerSec = Math.max(cap, 1e-3);
  return take(bucket, { ratePerSec, burst: Math.max(1, ratePerSec) }, now, count);
}
