import { z } from "zod";

/** An inbound (MO) message a carrier delivered as an ordinary deliver_sm. */
export const InboundMessageReceived = z.object({
  type: z.literal("InboundMessageReceived"),
  version: z.literal(1),
  /** `mo_` + ULID, also the Nats-Msg-Id. */
  inboundId: z.string(),
  carrierId: z.string(),
  /** E.164 when the source was international (TON 1), else as the carrier sent it. */
  from: z.string(),
  to: z.string(),
  text: z.string(),
  dataCoding: z.number().int(),
  receivedAt: z.iso.datetime(),
});
export type InboundMessageReceived = z.infer<typeof InboundMessageReceived>;
