import type { MoAttempt } from "../lib/mo-traffic.ts";

/** What the inbound invariants count after a drill (issue 18). */
export interface InboundCheck {
  /** MO handed to the carrier (each once, however many attempts it took). */
  moSent: number;
  /** MO whose carrier got deliver_sm_resp OK: the gateway owes each of them. */
  moAcked: number;
  /** Acked MO stored once and POSTed: what must equal moAcked. */
  moDelivered: number;
  /** Acked MO not stored: must be 0. */
  moLost: number;
  /** Acked MO stored more than once: must be 0. */
  moStoredTwice: number;
  /** Acked MO stored whose inbound webhook never arrived: must be 0. */
  webhooksMissing: number;
  /** Webhook arrivals repeating an id already received (at least once: allowed, detectable). */
  webhookRepeats: number;
  /** Attempts the carrier got no OK for that were stored anyway (it redelivers them as new MO). */
  unackedStored: number;
  /** The texts of the first acked MO lost, stored twice or not POSTed (for a look). */
  examples: string[];
}

/**
 * The inbound invariants, from the attempts the traffic made, how many rows of
 * `inbound.messages` hold each text, and the webhooks received (text -> ids of each arrival).
 */
export function checkInbound(
  attempts: readonly MoAttempt[],
  storedByText: ReadonlyMap<string, number>,
  webhooks: ReadonlyMap<string, { ids: readonly string[] }>,
): InboundCheck {
  const acked = attempts.filter((a) => a.outcome === "acked");
  const stored = (a: MoAttempt) => storedByText.get(a.text) ?? 0;
  const hooked = (a: MoAttempt) => (webhooks.get(a.text)?.ids.length ?? 0) > 0;
  let webhookRepeats = 0;
  for (const { ids } of webhooks.values()) webhookRepeats += ids.length - new Set(ids).size;
  return {
    moSent: new Set(attempts.map((a) => a.n)).size,
    moAcked: acked.length,
    moDelivered: acked.filter((a) => stored(a) === 1 && hooked(a)).length,
    moLost: acked.filter((a) => stored(a) === 0).length,
    moStoredTwice: acked.filter((a) => stored(a) > 1).length,
    webhooksMissing: acked.filter((a) => stored(a) > 0 && !hooked(a)).length,
    webhookRepeats,
    unackedStored: attempts.filter((a) => a.outcome === "not_acked" && stored(a) > 0).length,
    examples: acked
      .filter((a) => stored(a) !== 1 || !hooked(a))
      .slice(0, 10)
      .map((a) => a.text.slice(0, 40)),
  };
}
