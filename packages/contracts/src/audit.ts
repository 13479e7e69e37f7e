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
 * The console's own changes to who may act for an account (issue 22, team members): the
 * console verifies the actor (its signed-in session) and asks pricing, the audit log's
 * keeper, to record them (`console.record_audit`). Only these may be asked for that way.
 */
export const TeamAuditAction = z.enum([
  "member.invited",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "member.invitation_revoked",
  "password.changed",
  "totp.enrolled",
  "totp.disabled",
  "session.revoked",
]);
export type TeamAuditAction = z.infer<typeof TeamAuditAction>;

/**
 * The changes the audit log records so far (issue 22: keys, the token, going live, the
 * low-balance threshold, the account's settings and money, team members; issue 19: SMPP
 * credentials; the account's price overrides).
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
  "price_override.set",
  "price_override.removed",
  ...TeamAuditAction.options,
]);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * One entry of an account's audit log, newest first when listed. Its action is read as any
 * `<thing>.<change>` name, not only the ones this build knows: during a rolling upgrade a
 * reader (the console) still on the old build meets actions a newer writer records, and one
 * unknown entry must not make the whole log unreadable. Writers record `AuditAction`s only.
 */
export const AuditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  action: z.union([
    AuditAction,
    z
      .string()
      .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/)
      .max(64),
  ]),
  actor: z.string(),
  ip: z.string().nullable(),
  /** What the change was about: a key's id, a live request's id, a price override's prefix,
   * or null (the token, SMPP credentials, the threshold). */
  target: z.string().nullable(),
  /** What changed, without secrets (a key's name, scopes and allowlist; the SMPP system_id; an
   * amount of money units, its note and reference; the countries; the limits; a callback URL's
   * host; a price override's price before and after, money units per part or null). */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * console -> pricing: record one team change. `entryId` is the console's, drawn once with the
 * change and kept in its outbox until pricing confirms: a retry after a lost answer records
 * nothing more (exactly one entry per change).
 */
export const ConsoleRecordAuditRequest = z.object({
  accountId: z.string().min(1).max(64),
  entryId: z.string().regex(/^aud_[A-Za-z0-9_-]{16,64}$/),
  action: TeamAuditAction,
  by: AuditBy,
  /** The member (a user id) or session the change was about. */
  target: z.string().max(100).nullable(),
  /** What changed, never a secret (an email, a role). */
  details: z.record(z.string(), z.unknown()),
});
export type ConsoleRecordAuditRequest = z.infer<typeof ConsoleRecordAuditRequest>;

export const ConsoleRecordAuditResponse = z.discriminatedUnion("outcome", [
  /** Recorded now, or already by an earlier try of the same `entryId`. */
  z.object({ outcome: z.literal("recorded") }),
  /** Never to be recorded, however often asked (an account pricing does not know). */
  z.object({ outcome: z.literal("refused"), reason: z.string() }),
  /** Not recorded this time (pricing could not answer): ask again later. */
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleRecordAuditResponse = z.infer<typeof ConsoleRecordAuditResponse>;

/** console -> pricing: the account's latest audit entries. */
export const ConsoleAuditResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("entries"), entries: z.array(AuditEntry) }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleAuditResponse = z.infer<typeof ConsoleAuditResponse>;
