import { z } from "zod";

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
  /** Submits refused or timed out in the last minute, and submits in total then. */
  recentSubmitErrors: z.number().int().nonnegative(),
  recentSubmits: z.number().int().nonnegative(),
  /** The carrier is a simulator (connector carrier config); only these take test accounts' traffic. */
  simulated: z.boolean().optional(),
  updatedAt: z.iso.datetime(),
});
export type CarrierHealth = z.infer<typeof CarrierHealth>;
