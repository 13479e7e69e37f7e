import { z } from "zod";
import { MESSAGE_STATUSES } from "./status.ts";

/**
 * Erasure of a message's text and recipient number (api.md section 7, ADR 0021): what ingress
 * asks the event store, which owns the log and the projection, and how a number looks after.
 */

/** Digits of a recipient number kept hidden after erasure (`+37256781234` -> `+3725678****`). */
const MASKED_DIGITS = 4;

/**
 * The recipient number as an erased message shows it: its last four characters replaced by
 * `*`, so the country and network stay readable for billing questions and the subscriber
 * does not. Masking a masked number changes nothing.
 */
export function maskPhoneNumber(number: string): string {
  const kept = Math.max(0, number.length - MASKED_DIGITS);
  return number.slice(0, kept) + "*".repeat(number.length - kept);
}

/** ingress -> event store: erase one message of this account now (`POST /v1/messages/{id}/redact`). */
export const RedactRequest = z.object({ accountId: z.string(), messageId: z.string() });
export type RedactRequest = z.infer<typeof RedactRequest>;

export const RedactResponse = z.discriminatedUnion("outcome", [
  /** Erased now or before (idempotent). */
  z.object({ outcome: z.literal("redacted") }),
  /** No such message for this account (another account's is the same answer). */
  z.object({ outcome: z.literal("not_found") }),
  /** Not final yet: the carrier may still need the text and number (refused, 409). */
  z.object({ outcome: z.literal("in_flight"), status: z.enum(MESSAGE_STATUSES) }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type RedactResponse = z.infer<typeof RedactResponse>;

/** Message ids per `MessagesErased` publish at most. */
export const ERASED_BATCH_MAX = 1_000;

/**
 * The event store erased these messages' text and number (ADR 0021), published on
 * `<p>.status.erased` after the commit: the services that keep a copy of a message's status
 * change while they still deliver it (the dispatcher's jobs, the SMPP server's receipts) mask
 * the number in it. Not part of the trail. The inbound service publishes its erased MO's
 * `in_` ids the same way (amendment 2): their waiting copies (an `InboundDelivery`) are
 * dropped, as there is nothing left to deliver.
 */
export const MessagesErased = z.object({
  type: z.literal("MessagesErased"),
  version: z.literal(1),
  messageIds: z.array(z.string()).min(1).max(ERASED_BATCH_MAX),
});
export type MessagesErased = z.infer<typeof MessagesErased>;

/** A status change (or what carries one) with its number masked as erasure leaves it. */
export function erasedStatusChange<T extends { toNumber: string }>(change: T): T {
  return { ...change, toNumber: maskPhoneNumber(change.toNumber) };
}

/**
 * The retention every account's text and numbers get (api.md section 7): the event store
 * owns it (RETENTION_DAYS and the operator's per-account days) and publishes it as the one
 * key `RETENTION_POLICY_KEY` of the KV bucket `subjects(p).retentionBucket`, so that the
 * inbound service erases its MO by the same days without reading the event store's tables.
 */
export const RetentionPolicy = z.object({
  /** Days after the final status (an MO: after it arrived) for accounts not listed. */
  defaultDays: z.number().int().min(1),
  /** The operator's per-account days (`bin/gw messages retention <account> <days>`). */
  accounts: z.record(z.string(), z.number().int().min(1)),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export const RETENTION_POLICY_KEY = "policy";

/** The day before which an account's content is due for erasure at `now`. */
export function retentionCutoff(
  policy: RetentionPolicy,
  accountId: string | null,
  now: Date,
): Date {
  const days = (accountId !== null ? policy.accounts[accountId] : undefined) ?? policy.defaultDays;
  return new Date(now.getTime() - days * 86_400_000);
}

/**
 * The operator erased one phone number across accounts (`bin/gw messages erase-number`),
 * published by the event store's CLI on `<p>.status.number_erased` for the holders of other
 * copies of that number (the inbound service's MO from or to it). It carries the number's
 * SHA-256 (hex, of the E.164 text), not the number: the stream keeps its copy for days and
 * must not become the place the number outlives its erasure.
 */
export const NumberErased = z.object({
  type: z.literal("NumberErased"),
  version: z.literal(1),
  numberSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type NumberErased = z.infer<typeof NumberErased>;
