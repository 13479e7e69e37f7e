import { z } from "zod";
import {
  type ErrorCode,
  errorCodeOfCommandStatus,
  errorCodeOfReceipt,
  publicErrorCode,
} from "./error-codes.ts";
import {
  type DataOf,
  MessageAccepted,
  MessageAcceptedData,
  MessageCharged,
  MessageFailed,
  MessageRefunded,
  MessageRouted,
  MessageRoutedData,
  MessageSubmitted,
  ReceiptReceived,
  SubmitFailed,
  SubmitFailedData,
  ValidityExpired,
  WebhookAttempted,
} from "./events.ts";

/**
 * What a customer may see of each event of a message's trail (api.md section 7, ADR 0017):
 * `GET /v1/messages/{id}/events` and the console's timeline show only this. No carrier names
 * or carrier message ids, no routing candidates or reasons, no SMPP internals (command
 * statuses, stats, concatenation style); error codes are the documented ones. Operators read
 * the stored record (`bin/gw messages trail`).
 */

/** One event as the trail stores it (the envelope's public fields and the data as published). */
export interface StoredTrailEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  data: unknown;
}

export interface PublicEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  data: PublicEventData;
}

export type PublicEventData =
  | ReturnType<typeof publicDataOf>
  // An event type this code does not know, or data that no longer parses: nothing of it.
  | Record<string, never>;

/** The documented code a receipt stands for: as the connector mapped it, else the default. */
export function publicErrorCodeOfReceipt(
  data: Pick<DataOf<"ReceiptReceived">, "stat" | "errorCode" | "publicErrorCode">,
): ErrorCode | null {
  if (data.publicErrorCode !== undefined) return publicErrorCode(data.publicErrorCode);
  return errorCodeOfReceipt({ stat: data.stat, err: data.errorCode });
}

/** The documented code a failure stands for: as routing mapped it, else from its reason and raw code. */
export function publicErrorCodeOfFailure(
  data: Pick<DataOf<"MessageFailed">, "reason" | "errorCode" | "publicErrorCode">,
): ErrorCode {
  if (data.publicErrorCode) return publicErrorCode(data.publicErrorCode) ?? "carrier_error";
  if (data.reason === "no_route") return "no_route";
  if (data.reason === "canceled") return "canceled";
  return publicErrorCode(data.errorCode) ?? "carrier_error";
}

/** The documented code of a refused submit (no status: a timeout or a lost bind). */
export function publicErrorCodeOfSubmit(commandStatus: number | null): ErrorCode {
  return commandStatus === null ? "carrier_error" : errorCodeOfCommandStatus(commandStatus);
}

// Each stored type with the data it is parsed with: the switch below sees typed data. An
// erased message's events hold `text: null` (ADR 0021): those that carry the content parse
// with a nullable text, and a refused submit's failover content is not read at all.
const StoredData = z.discriminatedUnion("type", [
  MessageAccepted.pick({ type: true }).extend({
    data: MessageAcceptedData.extend({ text: z.string().nullable() }),
  }),
  MessageCharged.pick({ type: true, data: true }),
  MessageRouted.pick({ type: true }).extend({
    data: MessageRoutedData.extend({ text: z.string().nullable() }),
  }),
  MessageFailed.pick({ type: true, data: true }),
  MessageSubmitted.pick({ type: true, data: true }),
  SubmitFailed.pick({ type: true }).extend({ data: SubmitFailedData.omit({ failover: true }) }),
  ReceiptReceived.pick({ type: true, data: true }),
  WebhookAttempted.pick({ type: true, data: true }),
  MessageRefunded.pick({ type: true, data: true }),
  ValidityExpired.pick({ type: true, data: true }),
]);
type StoredData = z.infer<typeof StoredData>;

/** The public view of one stored trail event; unknown or unreadable data shows as `{}`. */
export function publicEventOf(event: StoredTrailEvent): PublicEvent {
  const parsed = StoredData.safeParse({ type: event.type, data: event.data });
  return {
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    data: parsed.success ? publicDataOf(parsed.data) : {},
  };
}

/** Only what each event says about the customer's own message, field by field. */
function publicDataOf(event: StoredData) {
  switch (event.type) {
    case "MessageAccepted": {
      const d = event.data;
      // Not `concat` (how the carrier is sent long messages) nor internal flags.
      return {
        to: d.to,
        from: d.from,
        text: d.text,
        encoding: d.encoding,
        parts: d.parts,
        country: d.country,
        cost: d.cost,
        currency: d.currency,
        ...(d.pricePerPart === undefined ? {} : { pricePerPart: d.pricePerPart }),
        reference: d.reference,
        callbackUrl: d.callbackUrl,
        ...(d.callbackStatuses ? { callbackStatuses: d.callbackStatuses } : {}),
        sendAt: d.sendAt ?? null,
        validUntil: d.validUntil ?? null,
      };
    }
    case "MessageCharged": {
      const { amount, currency, pricePerPart, parts } = event.data;
      return { amount, currency, pricePerPart, parts };
    }
    case "MessageRouted":
      return { attempt: event.data.attempt };
    case "MessageSubmitted":
      return { attempt: event.data.attempt, parts: event.data.parts.length };
    case "SubmitFailed":
      return {
        attempt: event.data.attempt,
        retryable: event.data.retryable,
        errorCode: publicErrorCodeOfSubmit(event.data.commandStatus),
      };
    case "ReceiptReceived":
      return {
        part: event.data.part,
        status: event.data.partStatus,
        errorCode: publicErrorCodeOfReceipt(event.data),
      };
    case "MessageFailed":
      return { reason: event.data.reason, errorCode: publicErrorCodeOfFailure(event.data) };
    case "MessageRefunded": {
      const { amount, currency, reason } = event.data;
      return { amount, currency, reason };
    }
    case "ValidityExpired":
      return { validUntil: event.data.validUntil };
    case "WebhookAttempted": {
      // The customer's own endpoint and its answers: all of it is theirs.
      const { sequence, status, attempt, endpoint, httpStatus, latencyMs, error, outcome } =
        event.data;
      return { sequence, status, attempt, endpoint, httpStatus, latencyMs, error, outcome };
    }
    default: {
      const unknown: never = event;
      throw new Error(`no public view for ${(unknown as { type: string }).type}`);
    }
  }
}
