import { z } from "zod";
import { AuditBy, AuditEntry } from "./audit.ts";

/**
 * ingress -> inbound (request/reply on `subjects(p).inboundApi`, queue group "inbound"): the
 * `/v1/numbers`, `/v1/inbound`, `/v1/opt-outs` and `/v1/senders` requests of an authenticated
 * account (api.md section 5), and the console's pages of the same.
 * Ingress authenticates, rate-limits and validates the fields (the callback guard included);
 * the inbound service, which owns numbers and inbound messages, decides and answers.
 */
const Account = {
  accountId: z.string().min(1).max(64),
  /** Who asked (the credential ingress verified, the console's session), for the audit log. */
  by: AuditBy.optional(),
};
export const InboundApiRequest = z.discriminatedUnion("op", [
  z.object({ op: z.literal("numbers.list"), ...Account }),
  z.object({
    op: z.literal("numbers.take"),
    ...Account,
    /** A test account takes simulator numbers only. */
    test: z.boolean(),
    country: z.string().length(2).optional(),
    number: z.string().max(21).optional(),
    /**
     * The request's Idempotency-Key: a take under a key the account holds a number by answers
     * that number (its first answer lost on the way back to ingress), not a second one.
     */
    requestKey: z.string().min(1).max(255).optional(),
  }),
  z.object({
    op: z.literal("numbers.update"),
    ...Account,
    number: z.string().max(21),
    inboundUrl: z.string().max(2048).nullable(),
  }),
  z.object({ op: z.literal("numbers.release"), ...Account, number: z.string().max(21) }),
  z.object({
    op: z.literal("inbound.list"),
    ...Account,
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(1_000),
  }),
  z.object({ op: z.literal("inbound.get"), ...Account, id: z.string().max(64) }),
  z.object({
    op: z.literal("optOuts.list"),
    ...Account,
    cursor: z.string().max(200).optional(),
    // Absent: 1,000, the page a client that knows no cursor got its whole list in before.
    limit: z.number().int().min(1).max(1_000).optional(),
  }),
  z.object({ op: z.literal("optOuts.add"), ...Account, number: z.string().max(21) }),
  z.object({ op: z.literal("optOuts.remove"), ...Account, number: z.string().max(21) }),
  // The sender ID registry (`/v1/senders`): ask for an alphanumeric sender, list, withdraw.
  z.object({ op: z.literal("senders.list"), ...Account }),
  z.object({ op: z.literal("senders.request"), ...Account, sender: z.string().max(32) }),
  z.object({ op: z.literal("senders.withdraw"), ...Account, sender: z.string().max(32) }),
  // The account's audit entries of numbers and sender IDs (the console shows them with pricing's).
  z.object({ op: z.literal("audit.list"), ...Account, limit: z.number().int().min(1).max(500) }),
]);
export type InboundApiRequest = z.infer<typeof InboundApiRequest>;

/** The HTTP answer ingress relays as it is: a resource, or `{ status, message }`. */
export const InboundApiResponse = z.object({
  httpStatus: z.number().int().min(200).max(599),
  body: z.unknown(),
});
export type InboundApiResponse = z.infer<typeof InboundApiResponse>;

/** The body of `audit.list`'s 200: the account's entries, newest first. */
export const InboundAuditList = z.object({ entries: z.array(AuditEntry) });
export type InboundAuditList = z.infer<typeof InboundAuditList>;
