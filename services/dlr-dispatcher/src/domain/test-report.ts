import type { AccountRecord } from "@smsgw/contracts";
import type { ReportBody } from "./report.ts";

/**
 * A test report: the shape of a real one (api.md section 4) so a receiver's parser and
 * signature check are exercised, marked so no receiver can take it for a message: `test:
 * true`, a messageId that is not a message's (`msg_test_…` never matches MESSAGE_ID_PATTERN)
 * and `reference` "test webhook". It is never stored or recorded as an event.
 */
export type TestReportBody = ReportBody & { test: true };

/** `msg_test_` + the ULID of a fresh message id (the handler makes it). */
export function testMessageId(freshMessageId: string): string {
  return `msg_test_${freshMessageId.replace(/^msg_/, "")}`;
}

export function testReportBody(
  messageId: string,
  account: Pick<AccountRecord, "currency">,
  now: Date,
): TestReportBody {
  return {
    test: true,
    type: "status",
    messageId,
    status: "delivered",
    toNumber: "+37200000000",
    fromNumber: "TEST",
    parts: 1,
    cost: 0,
    currency: account.currency,
    errorCode: null,
    reference: "test webhook",
    sequence: 0,
    occurredAt: now.toISOString(),
  };
}

/** Its `webhook-id`: unlike a report's (`…:status:<n>`), so de-duplication never mixes them. */
export function testWebhookId(messageId: string): string {
  return `${messageId}:test`;
}

/** What the request may do: the account's own default URL, and nothing without one. */
export type TestTarget = { send: true; url: string } | { send: false; reason: string };

export function testTargetOf(
  account: Pick<AccountRecord, "status" | "defaultCallbackUrl"> | undefined,
): TestTarget {
  if (!account) return { send: false, reason: "the account is not known to the dispatcher yet" };
  if (account.status !== "active") return { send: false, reason: "the account is disabled" };
  if (!account.defaultCallbackUrl) {
    return { send: false, reason: "the account has no default callback URL; set one first" };
  }
  return { send: true, url: account.defaultCallbackUrl };
}
