import { z } from "zod";

/**
 * What one connector replica saw of a carrier for one score key (the accepted country, else
 * the route prefix) in one time slot: routing sums the replicas' counts into its scores
 * (ADR 0009), instead of reading every event. A final receipt counts per part; the latency
 * is submit stored -> first part's final receipt.
 */
export const ScoreCounts = z.object({
  key: z.string(),
  /** The slot's start, ms since the epoch; it covers `countSlotMs` from there. */
  at: z.number().int().nonnegative(),
  submits: z.number().int().nonnegative(),
  /** Retryable refusals (throttled, no bind, carrier error): the carrier did not take it. */
  submitFailures: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  /** Final receipts other than delivered (undelivered, expired, rejected). */
  undelivered: z.number().int().nonnegative(),
  latencyMsSum: z.number().nonnegative(),
  latencyCount: z.number().int().nonnegative(),
});
export type ScoreCounts = z.infer<typeof ScoreCounts>;

/** A slot with nothing counted yet. */
export function emptyScoreCounts(key: string, at: number): ScoreCounts {
  return {
    key,
    at,
    submits: 0,
    submitFailures: 0,
    delivered: 0,
    undelivered: 0,
    latencyMsSum: 0,
    latencyCount: 0,
  };
}

/**
 * A carrier's health as one connector replica sees it, in the carrier-health KV bucket
 * (key `<carrierId>.<replica>`). Routing combines the replicas' records of a carrier.
 */
export const CarrierHealth = z.object({
  carrierId: z.string(),
  replica: z.string(),
  bindsUp: z.number().int().nonnegative(),
  bindsWanted: z.number().int().nonnegative(),
  /** The carrier answered ESME_RTHROTTLED / ESME_RMSGQFUL recently and we are backing off. */
  throttled: z.boolean(),
  /**
   * A bind was dropped lately because its submits went unanswered while the SMSC still
   * answered enquire_link (a wedged SMSC), and no submit has been answered since: whatever is
   * sent there ends "outcome unknown". Absent on records of connectors from before it.
   */
  unresponsive: z.boolean().optional(),
  /** Submits refused or timed out in the last minute, and submits in total then. */
  recentSubmitErrors: z.number().int().nonnegative(),
  recentSubmits: z.number().int().nonnegative(),
  /** The carrier is a simulator (connector carrier config); only these take test accounts' traffic. */
  simulated: z.boolean().optional(),
  /**
   * How the carrier ties long messages together (connector carrier config `concat`): routing
   * publishes the routes with a `udh16` carrier so ingress bills what will be sent (ADR 0011).
   * Absent on records of connectors from before it: the carrier's header is unknown.
   */
  concat: z.enum(["udh8", "udh16", "sar", "payload"]).optional(),
  updatedAt: z.iso.datetime(),
  /** The length of one slot of `counts`, in ms (ADR 0009). Absent on old records. */
  countSlotMs: z.number().int().positive().optional(),
  /** This replica's counts per score key and slot, over the last window (routing's scores). */
  counts: z.array(ScoreCounts).optional(),
});
export type CarrierHealth = z.infer<typeof CarrierHealth>;
