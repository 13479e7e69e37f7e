import {
  type EventOf,
  eventIdFor,
  type SmppReceiptMask,
  type TraceContext,
} from "@smsgw/contracts";
import type { Charge } from "./authorize-outcome.ts";
import type { MessageFields } from "./message-fields.ts";
import type { Destination } from "./phone.ts";
import type { TextCount } from "./text.ts";

export interface AcceptedInput {
  messageId: string;
  accountId: string;
  fields: Pick<MessageFields, "text" | "callbackUrl" | "callbackStatuses">;
  /** The parts it was charged for, which are the parts it is sent in. */
  count: TextCount;
  destination: Destination;
  sender: string;
  charge: Charge;
  /** ISO timestamp of acceptance. */
  occurredAt: string;
  /** The client's own reference (v1). */
  reference?: string | null;
  /** Scheduled sending and validity (v1), ISO UTC or null. */
  sendAt?: string | null;
  validUntil?: string | null;
  /**
   * The account's default callback URL (AccountRecord.defaultCallbackUrl): used when the
   * request named none. Pricing judged it with the callback guard when it was set.
   */
  defaultCallbackUrl?: string | null | undefined;
  /** A test account's message: routing keeps it on simulated carriers. */
  test?: boolean;
  /** Sent over SMPP with registered_delivery: the receipts it wants (api.md section 6). */
  smppReceipt?: SmppReceiptMask | null;
  /** The trace the message continues (the HTTP request's span), when tracing is on. */
  trace?: TraceContext | undefined;
}

/** The MessageAccepted event of a charged message; its id is derived, so a re-publish is a duplicate. */
export function acceptedEvent(input: AcceptedInput): EventOf<"MessageAccepted"> {
  const { messageId, fields, count, destination, charge } = input;
  const callbackUrl = callbackUrlOf(fields.callbackUrl, input.defaultCallbackUrl);
  return {
    eventId: eventIdFor(messageId, "accepted"),
    type: "MessageAccepted",
    version: 1,
    messageId,
    accountId: input.accountId,
    occurredAt: input.occurredAt,
    data: {
      to: destination.e164,
      from: input.sender,
      text: fields.text,
      encoding: count.encoding,
      parts: count.parts,
      // Only when not the default: the carrier splits as the parts were billed (ADR 0011).
      ...(count.concat === "udh16" ? { concat: "udh16" as const } : {}),
      country: destination.country,
      // The charge rides on acceptance: pricing logs no event of its own (ADR 0009).
      cost: charge.amount,
      currency: charge.currency,
      pricePerPart: charge.pricePerPart,
      callbackUrl,
      reference: input.reference ?? null,
      // Only when set: most messages are neither scheduled nor limited, and events stay small.
      ...(input.sendAt ? { sendAt: input.sendAt } : {}),
      ...(input.validUntil ? { validUntil: input.validUntil } : {}),
      ...(input.test ? { test: true } : {}),
      // A mask other than the default, and only where there is somewhere to report to.
      ...(fields.callbackStatuses && callbackUrl
        ? { callbackStatuses: fields.callbackStatuses }
        : {}),
      ...(input.smppReceipt ? { smppReceipt: input.smppReceipt } : {}),
      // A copy stored later is void for every consumer (ADR 0022).
      ...(charge.publishBy ? { publishBy: charge.publishBy } : {}),
    },
    ...(input.trace ? { trace: input.trace } : {}),
  };
}

/** The request's own callbackUrl wins; without one, the account's default; else none. */
export function callbackUrlOf(
  requested: string | null,
  accountDefault: string | null | undefined,
): string | null {
  return requested ?? accountDefault ?? null;
}
