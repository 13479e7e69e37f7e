import { z } from "zod";
import { AuditBy } from "./audit.ts";

/**
 * Going live (issue 22): a test account asks for live sending, an operator approves or
 * declines. Pricing owns the requests (it owns the accounts); the console asks for one and
 * shows the latest.
 */
export const LIVE_REQUEST_STATUSES = ["pending", "approved", "declined"] as const;
export const LiveRequestStatus = z.enum(LIVE_REQUEST_STATUSES);
export type LiveRequestStatus = z.infer<typeof LiveRequestStatus>;

/** What the customer tells the operator: bounded, so a request row stays small. */
export const LiveRequestForm = z.object({
  company: z.string().trim().min(1).max(200),
  /** Messages a month the account expects to send. */
  monthlyVolume: z.number().int().min(1).max(1_000_000_000),
  useCase: z.string().trim().min(1).max(2_000),
});
export type LiveRequestForm = z.infer<typeof LiveRequestForm>;

export const LiveRequestView = z.object({
  id: z.string(),
  accountId: z.string(),
  status: LiveRequestStatus,
  company: z.string(),
  monthlyVolume: z.number().int(),
  useCase: z.string(),
  /** Why it was declined (shown to the customer); null otherwise. */
  reason: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
});
export type LiveRequestView = z.infer<typeof LiveRequestView>;

/** console -> pricing: the signed-in owner asks for live sending. */
export const ConsoleRequestLiveRequest = z.object({
  accountId: z.string().min(1).max(64),
  form: LiveRequestForm,
  by: AuditBy,
});
export type ConsoleRequestLiveRequest = z.infer<typeof ConsoleRequestLiveRequest>;

export const ConsoleRequestLiveResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("requested"), request: LiveRequestView }),
  /** Already live, or a request is pending: `reason` is fit to show the customer. */
  z.object({ outcome: z.literal("refused"), reason: z.string() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleRequestLiveResponse = z.infer<typeof ConsoleRequestLiveResponse>;

/** console -> pricing: the account's low-balance threshold in money units; null: none. */
export const ConsoleSetLowBalanceThresholdRequest = z.object({
  accountId: z.string().min(1).max(64),
  threshold: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
  by: AuditBy,
});
export type ConsoleSetLowBalanceThresholdRequest = z.infer<
  typeof ConsoleSetLowBalanceThresholdRequest
>;

export const ConsoleSetLowBalanceThresholdResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("saved"), threshold: z.number().int().nullable() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleSetLowBalanceThresholdResponse = z.infer<
  typeof ConsoleSetLowBalanceThresholdResponse
>;
