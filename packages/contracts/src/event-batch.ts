import { z } from "zod";

/**
 * Several message events in one publish (ADR 0009): for events only the event store reads
 * (submissions, receipts, webhook attempts), one stored publish carries a whole batch
 * instead of one each. The event store appends every event and de-duplicates by `eventId`,
 * so a batch published twice, or overlapping another, logs each event once. The same
 * envelope carries several `SubmitOrder`s on a carrier's submit subject (the connector's
 * claims make each order submit once, however the orders were grouped).
 *
 * The events are kept as published (`unknown`): the log is lossless, so a consumer
 * validates the fields it uses and never rewrites the record.
 */
export const EventBatch = z.object({
  type: z.literal("EventBatch"),
  version: z.literal(1),
  events: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000),
});
export type EventBatch = z.infer<typeof EventBatch>;
