import { z } from "zod";
import { TraceContext } from "./trace.ts";

/** Authorize requests per `AuthorizeBatchRequest`. */
export const AUTHORIZE_BATCH_MAX = 500;

/** ingress -> pricing: charge this message once, or say why not. */
export const AuthorizeRequest = z.object({
  messageId: z.string(),
  accountId: z.string(),
  to: z.string(),
  country: z.string().nullable(),
  parts: z.number().int().positive(),
  trace: TraceContext.optional(),
  /**
   * When the requester stops waiting for the answer (its clock): then it answers "not
   * charged", so pricing charges nothing it cannot answer by then (less a margin). Absent from
   * an older door: pricing's own commit timeout bounds it.
   */
  answerBy: z.iso.datetime().optional(),
});
export type AuthorizeRequest = z.infer<typeof AuthorizeRequest>;

export const AuthorizeResponse = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("charged"),
    amount: z.number().int().nonnegative(),
    currency: z.string(),
    pricePerPart: z.number().int().nonnegative(),
    /**
     * The accepted event must be stored by then (ADR 0022): later, it is void and the charge
     * is refunded by the sweep. Absent from an older pricing: no limit.
     */
    publishBy: z.iso.datetime().optional(),
  }),
  z.object({
    outcome: z.literal("low_balance"),
    balance: z.number().int(),
    needed: z.number().int(),
  }),
  z.object({ outcome: z.literal("destination_blocked"), reason: z.string() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
  // The message id was charged and that charge refunded as never accepted (the sweep): no
  // message went out under it, the id is spent, and a send that still wants to go out needs a
  // new one. A charge refunded after its message was accepted and failed is answered
  // `charged` again, as first (with its publishBy): that message stands, and a retry must
  // answer it, never send a second one.
  z.object({ outcome: z.literal("refunded") }),
]);
export type AuthorizeResponse = z.infer<typeof AuthorizeResponse>;

/**
 * ingress -> pricing: the authorize requests that met at an ingress replica (in flight
 * together), in one NATS request on `authorizeBatch` (ADR 0009); answered in order.
 */
export const AuthorizeBatchRequest = z.object({
  requests: z.array(z.unknown()).min(1).max(AUTHORIZE_BATCH_MAX),
});
export type AuthorizeBatchRequest = z.infer<typeof AuthorizeBatchRequest>;
export const AuthorizeBatchResponse = z.object({ responses: z.array(AuthorizeResponse) });
export type AuthorizeBatchResponse = z.infer<typeof AuthorizeBatchResponse>;

/** ingress -> pricing: `GET /v1/balance`. */
export const BalanceRequest = z.object({ accountId: z.string() });
export type BalanceRequest = z.infer<typeof BalanceRequest>;
export const BalanceResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("balance"), balance: z.number().int(), currency: z.string() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type BalanceResponse = z.infer<typeof BalanceResponse>;

/** ingress -> pricing: `GET /v1/prices?to=…`, answered by the same code that charges. */
export const PriceRequest = z.object({ accountId: z.string(), to: z.string() });
export type PriceRequest = z.infer<typeof PriceRequest>;
export const PriceResponse = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("price"),
    to: z.string(),
    country: z.string().nullable(),
    pricePerPart: z.number().int().nonnegative(),
    currency: z.string(),
  }),
  z.object({ outcome: z.literal("destination_blocked"), reason: z.string() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type PriceResponse = z.infer<typeof PriceResponse>;
