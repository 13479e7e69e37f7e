import { z } from "zod";

/** W3C trace context, carried in the envelope and in NATS headers. */
export const TraceContext = z.object({
  traceparent: z.string().max(128),
  tracestate: z.string().max(512).optional(),
});
export type TraceContext = z.infer<typeof TraceContext>;
