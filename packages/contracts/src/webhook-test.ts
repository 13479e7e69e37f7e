import { z } from "zod";

/**
 * console -> dlr-dispatcher (request/reply on `subjects(p).testWebhook`, queue group
 * "dlr-dispatcher"): POST one clearly marked test report, signed with the account's current
 * secrets, to the account's default callback URL, through the same guarded poster as real
 * reports, and answer how that one attempt went. Never retried, never recorded as an event.
 */
export const TestWebhookRequest = z.object({ accountId: z.string().min(1).max(64) });
export type TestWebhookRequest = z.infer<typeof TestWebhookRequest>;

export const TestWebhookResponse = z.discriminatedUnion("outcome", [
  z.object({
    /** The POST was made (or refused by the SSRF guard before anything was sent). */
    outcome: z.literal("attempted"),
    /** Scheme, host and path (no query string), as in WebhookAttempted. */
    endpoint: z.string(),
    messageId: z.string(),
    /** The receiver's status; null when there was none (error or refusal). */
    httpStatus: z.number().int().nullable(),
    /** Timeout, connection error, refusal reason; null when the receiver answered. */
    error: z.string().nullable(),
    latencyMs: z.number().nonnegative(),
    /** A 2xx answer: the real reports would be delivered. */
    delivered: z.boolean(),
  }),
  /** Nothing was sent: no default callback URL, unknown account, … (`reason` says which). */
  z.object({ outcome: z.literal("not_sent"), reason: z.string() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type TestWebhookResponse = z.infer<typeof TestWebhookResponse>;
