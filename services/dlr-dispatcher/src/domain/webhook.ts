import type { AccountBalanceLow, MessageStatusChanged } from "@smsgw/contracts";
import { balanceBody } from "./balance-report.ts";
import { reportBody, webhookIdFor } from "./report.ts";

/** A delivery report: a message's status change, with where to. */
export type StatusReport = MessageStatusChanged & { callbackUrl: string };
/** A balance warning, with where to (the account's default callback URL). */
export type BalanceWarning = AccountBalanceLow & { callbackUrl: string };

/**
 * What a job sends (ADR 0019): both kinds share the queue, the signing, the retries and the
 * per-origin isolation; they differ only in their body, their `webhook-id`, and that only a
 * report belongs to a message's trail (its attempts are WebhookAttempted events).
 */
export type Webhook = StatusReport | BalanceWarning;

export function isStatusReport(webhook: Webhook): webhook is StatusReport {
  return webhook.type === "MessageStatusChanged";
}

/** The body as sent (the bytes signed). */
export function webhookBody(webhook: Webhook): string {
  return JSON.stringify(isStatusReport(webhook) ? reportBody(webhook) : balanceBody(webhook));
}

/** `webhook-id`: one per report or warning, the same on every retry. */
export function webhookId(webhook: Webhook): string {
  return isStatusReport(webhook) ? webhookIdFor(webhook) : webhook.eventId;
}
