/**
 * Fairness at capacity: who gets the capacity. Weighted max-min fairness (water filling):
 * every account may use up to its share of the capacity, shares in proportion to its weight
 * (its rate limit); what an account does not use is shared among the others. So an account
 * below its share is never refused, and the refusals fall on the heaviest accounts' excess.
 * Any unit will do, as long as demand and capacity share it (admission control uses sends in
 * flight).
 */
export interface Demand {
  accountId: string;
  /** What the account asks for. */
  amount: number;
  /** Its weight: its rate limit per second. */
  weight: number;
}

/**
 * What each capped account may use. Accounts not in the answer are not capped: their demand
 * fits in their share.
 */
export function fairCaps(demands: readonly Demand[], capacity: number): Map<string, number> {
  const caps = new Map<string, number>();
  const valid = demands.filter((d) => d.amount > 0 && d.weight > 0);
  // Lightest first (demand per unit of weight): they are served in full while they fit.
  const order = [...valid].sort((a, b) => a.amount / a.weight - b.amount / b.weight);
  let left = Math.max(0, capacity);
  let weightLeft = valid.reduce((sum, d) => sum + d.weight, 0);
  let i = 0;
  for (; i < order.length; i++) {
    const demand = order[i] as Demand;
    const share = (left * demand.weight) / weightLeft;
    if (demand.amount > share) break;
    left -= demand.amount;
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
