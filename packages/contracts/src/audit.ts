import { z } from "zod";

/**
 * Who made a change to an account's credentials, as the service that verified them says:
 * ingress (`api:token`, `api:<keyId>`: the credential it authenticated), the console
 * (`console:<userId>`: the signed-in session), an operator (`cli:<name>`, `admin-api`).
 * Never taken from the customer's own words. `ip` is the client's address where there is one.
 */
export const AuditBy = z.object({
  actor: z.string().min(1).max(100),
  ip: z.string().max(64).nullable(),
});
export type AuditBy = z.infer<typeof AuditBy>;

/**
 * The changes the audit log records (issue 22: keys, the token, going live, the low-balance
 * threshold, the account's settings and money; issue 19: SMPP credentials).
 */
export const AuditAction = z.enum([
  "account.created",
  "account.disabled",
  "account.enabled",
  "credits.topped_up",
  "credits.adjusted",
  "webhook_secret.rotated",
  "countries.blocked",
  "countries.unblocked",
  "limits.set",
  "default_callback_url.set",
  "subaccount.created",
  "credits.transferred",
  // Kept by the inbound service, which owns numbers and sender IDs (its own audit_log).
  "number.taken",
  "number.released",
  "number.inbound_url_set",
  "sender_id.requested",
  "sender_id.withdrawn",
  "sender_id.approved",
  "sender_id.rejected",
  "api_key.created",
  "api_key.revoked",
  "token.rotated",
  "live.requested",
  "live.approved",
  "live.declined",
  "low_balance.threshold_set",
  "smpp_credentials.rotated",
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** One entry of an account's audit log, newest first when listed. */
export const AuditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  action: AuditAction,
  actor: z.string(),
  ip: z.string().nullable(),
  /** What the change was about: a key's id, a live request's id, or null (the token, SMPP
   * credentials, the threshold). */
  target: z.string().nullable(),
  /** What changed, without secrets (a key's name, scopes and allowlist; the SMPP system_id; an
   * amount of money units and its note; the countries; the limits; a callback URL's host). */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** console -> pricing: the account's latest audit entries. */
export const ConsoleAuditResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("entries"), entries: z.array(AuditEntry) }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleAuditResponse = z.infer<typeof ConsoleAuditResponse>;
