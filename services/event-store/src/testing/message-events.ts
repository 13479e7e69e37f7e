import { type DataOf, eventIdFor, type MessageEvent, type PartStatus } from "@smsgw/contracts";

/** Builds one message's events for tests, with deterministic ids and times. */
export function messageEvents(messageId: string, accountId = "acc_1") {
  const envelope = (suffix: Array<string | number>, occurredAt: string) => ({
    eventId: eventIdFor(messageId, ...suffix),
    version: 1 as const,
    messageId,
    accountId,
    occurredAt,
  });
  return {
    accepted(
      occurredAt: string,
      data: Partial<DataOf<"MessageAccepted">> = {},
    ): MessageEvent & { type: "MessageAccepted" } {
      return {
        ...envelope(["accepted"], occurredAt),
        type: "MessageAccepted",
        data: {
          to: "+37256789045",
          from: "MyApp",
          text: "hello",
          encoding: "gsm7",
          parts: 1,
          country: "EE",
          cost: 420,
          currency: "EUR",
          callbackUrl: "https://example.com/hook",
          reference: "ref-1",
          ...data,
        },
      };
    },
    validityExpired(occurredAt: string, validUntil = occurredAt): MessageEvent {
      return {
        ...envelope(["expired"], occurredAt),
        type: "ValidityExpired",
        data: { carrierId: "sim-a", validUntil },
      };
    },
    refunded(occurredAt: string, amount = 420): MessageEvent {
      return {
        ...envelope(["refunded"], occurredAt),
        type: "MessageRefunded",
        data: { amount, currency: "EUR", reason: "failed" },
      };
    },
    charged(occurredAt: string, parts = 1): MessageEvent {
      return {
        ...envelope(["charged"], occurredAt),
        type: "MessageCharged",
        data: { amount: 420 * parts, currency: "EUR", pricePerPart: 420, parts },
      };
    },
    routed(occurredAt: string, attempt = 1): MessageEvent {
      return {
        ...envelope(["routed", attempt], occurredAt),
        type: "MessageRouted",
        data: {
          to: "+37256789045",
          from: "MyApp",
          text: "hello",
          encoding: "gsm7",
          parts: 1,
          carrierId: "sim-a",
          attempt,
          reason: { matchedPrefix: "+372", candidates: ["sim-a"] },
        },
      };
    },
    submitted(occurredAt: string, parts = 1, attempt = 1): MessageEvent {
      return {
        ...envelope(["submitted", attempt], occurredAt),
        type: "MessageSubmitted",
        data: {
          carrierId: "sim-a",
          attempt,
          parts: Array.from({ length: parts }, (_, i) => ({
            part: i + 1,
            carrierMessageId: `c${i + 1}`,
          })),
        },
      };
    },
    submitFailed(occurredAt: string, attempt = 1): MessageEvent {
      return {
        ...envelope(["submit_failed", attempt], occurredAt),
        type: "SubmitFailed",
        data: {
          carrierId: "sim-a",
          attempt,
          retryable: true,
          commandStatus: 88,
          detail: "throttled",
        },
      };
    },
    failed(occurredAt: string, errorCode: string | null = null): MessageEvent {
      return {
        ...envelope(["failed"], occurredAt),
        type: "MessageFailed",
        data: { reason: "no_route", errorCode, detail: "no route" },
      };
    },
    receipt(
      occurredAt: string,
      part: number,
      partStatus: PartStatus,
      errorCode: string | null = null,
    ): MessageEvent {
      return {
        ...envelope(["receipt", part, partStatus], occurredAt),
        type: "ReceiptReceived",
        data: {
          carrierId: "sim-a",
          carrierMessageId: `c${part}`,
          part,
          stat: STAT_OF[partStatus],
          errorCode,
          partStatus,
        },
      };
    },
    webhookAttempted(occurredAt: string, sequence = 1): MessageEvent {
      return {
        ...envelope(["webhook", sequence, 1], occurredAt),
        type: "WebhookAttempted",
        data: {
          sequence,
          status: "delivered",
          attempt: 1,
          endpoint: "https://example.com/hook",
          httpStatus: 200,
          latencyMs: 12,
          error: null,
          outcome: "delivered",
        },
      };
    },
  };
}

/** Every ordering of `items` (n! of them: keep n small). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

/** The receipt stat a part status comes from (the connector's partStatusOf, read backwards). */
const STAT_OF: Record<PartStatus, string> = {
  delivered: "DELIVRD",
  undelivered: "UNDELIV",
  expired: "EXPIRED",
  pending: "ENROUTE",
};
