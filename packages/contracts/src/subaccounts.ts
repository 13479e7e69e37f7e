import { z } from "zod";
import { AuditBy } from "./audit.ts";

/**
 * ingress -> pricing (request/reply on `subjects(p).subaccounts`): `/v1/subaccounts` for an
 * account ingress authenticated (issue 22, api.md section 8). A sub-account is a whole account
 * (its own credentials, balance, numbers and keys) with a parent; its balance is funded by
 * transfers from the parent, and the parent sees its usage. One level: a sub-account has none.
 */
const Parent = { parentId: z.string().min(1).max(64) };

export const SubaccountRequest = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("create"),
    ...Parent,
    /** The child's own name part (the account's name is `<parent>.<name>`). */
    name: z.string().max(100),
    by: AuditBy,
  }),
  z.object({ op: z.literal("list"), ...Parent }),
  z.object({
    op: z.literal("transfer"),
    ...Parent,
    childId: z.string().max(64),
    /** Money units: positive from the parent to the child, negative back to the parent. */
    amount: z.number().int(),
    note: z.string().max(200),
    by: AuditBy,
    /**
     * The request's Idempotency-Key: pricing makes at most one transfer per parent and key, so
     * a retry after a lost answer gets the balances instead of moving the credit again.
     */
    requestKey: z.string().min(1).max(255).optional(),
  }),
]);
export type SubaccountRequest = z.infer<typeof SubaccountRequest>;

/** The HTTP answer ingress relays as it is (a resource, or `{ status, message }`), or a failure. */
export const SubaccountResponse = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("answer"),
    httpStatus: z.number().int().min(200).max(599),
    body: z.unknown(),
  }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type SubaccountResponse = z.infer<typeof SubaccountResponse>;
