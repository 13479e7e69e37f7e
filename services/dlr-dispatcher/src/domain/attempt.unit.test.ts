import { MessageEvent, type MessageStatusChanged } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import {
  type AttemptResult,
  isOriginFailure,
  nextStep,
  parseRetryAfter,
  webhookAttemptedEvent,
  webhookRetryDelayMs,
} from "./attempt.ts";

const policy = { capMs: 60_000, windowMs: 24 * 60 * 60_000 };
const occurredAt = "2026-11-24T10:00:00.000Z";
const now = new Date("2026-11-24T10:00:05.000Z");
const answered = (httpStatus: number): AttemptResult => ({
  httpStatus,
  error: null,
  latencyMs: 12,
});
const step = (result: AttemptResult, attempt = 1, at = now) =>
  nextStep(result, { attempt, occurredAt, now: at, policy });

describe("webhook back-off", () => {
  it("when deliveries fail in a row, the wait doubles from 1 s and stops at the cap", () => {
    expect([1, 2, 3, 4, 6, 7, 50, 5_000].map((n) => webhookRetryDelayMs(n, 60_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("when jitter is drawn, it adds up to 20 % and never shrinks the wait, so the waits still grow", () => {
    expect(webhookRetryDelayMs(1, 60_000, 0.999)).toBe(1_200);
    expect(webhookRetryDelayMs(2, 60_000, 0)).toBe(2_000);
    expect(webhookRetryDelayMs(7, 60_000, 0.5)).toBe(66_000);
  });

  it("when a receiver is down, overloaded or unreachable, the whole origin backs off; a 4xx or 2xx does not", () => {
    expect(isOriginFailure({ httpStatus: null, error: "timeout", latencyMs: 5_000 })).toBe(true);
    expect(isOriginFailure(answered(503))).toBe(true);
    expect(isOriginFailure(answered(429))).toBe(true);
    expect(isOriginFailure(answered(404))).toBe(false);
    expect(isOriginFailure(answered(410))).toBe(false);
    expect(isOriginFailure(answered(200))).toBe(false);
  });
});

describe("after an attempt", () => {
  it("when the receiver answers 2xx, the report is delivered", () => {
    expect(step(answered(200))).toEqual({ outcome: "delivered" });
    expect(step(answered(204))).toEqual({ outcome: "delivered" });
  });

  it("when the receiver answers 410 Gone, retries stop", () => {
    expect(step(answered(410))).toMatchObject({ outcome: "gave_up" });
  });

  it("when the receiver fails, redirects, or cannot be reached, the report is retried with back-off", () => {
    expect(step(answered(500), 3)).toEqual({ outcome: "retrying", delayMs: 4_000 });
    expect(step(answered(302))).toEqual({ outcome: "retrying", delayMs: 1_000 });
    expect(step(answered(404))).toEqual({ outcome: "retrying", delayMs: 1_000 });
    expect(step({ httpStatus: null, error: "timeout after 5000 ms", latencyMs: 5_000 })).toEqual({
      outcome: "retrying",
      delayMs: 1_000,
    });
  });

  it("when the receiver says Retry-After, the report waits that long if it is longer than the back-off, never past the cap", () => {
    const busy = (retryAfterMs: number): AttemptResult => ({ ...answered(429), retryAfterMs });
    expect(step(busy(30_000))).toEqual({ outcome: "retrying", delayMs: 30_000 });
    expect(step(busy(500), 3)).toEqual({ outcome: "retrying", delayMs: 4_000 });
    expect(step(busy(3_600_000))).toEqual({ outcome: "retrying", delayMs: policy.capMs });
  });

  it("when Retry-After is delay-seconds or an HTTP-date, it is read; anything else is ignored", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Tue, 24 Nov 2026 10:01:05 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Tue, 24 Nov 2026 09:00:00 GMT", now)).toBe(0);
    // The two obsolete forms of RFC 9110 5.6.7 a recipient must read too.
    expect(parseRetryAfter("Tuesday, 24-Nov-26 10:01:05 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Tue Nov 24 10:01:05 2026", now)).toBe(60_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it("when the next wait would end after the retry window, it is cut to the window's end, so one attempt is made there", () => {
    const end = Date.parse(occurredAt) + policy.windowMs;
    const late = new Date(end - 500);
    expect(step(answered(503), 7, late)).toEqual({ outcome: "retrying", delayMs: 500 });
    expect(step(answered(503), 1, new Date(end - 1))).toEqual({ outcome: "retrying", delayMs: 1 });
  });

  it("when an attempt at or after the end of the retry window fails, the report is given up", () => {
    const end = Date.parse(occurredAt) + policy.windowMs;
    for (const at of [end, end + 250]) {
      expect(step(answered(503), 40, new Date(at))).toEqual({
        outcome: "gave_up",
        reason: "retries exhausted",
      });
    }
  });
});

describe("attempt event", () => {
  it("when an attempt is recorded, it is a valid WebhookAttempted with a deterministic id", () => {
    const change: MessageStatusChanged = {
      type: "MessageStatusChanged",
      version: 1,
      messageId: "msg_1",
      accountId: "acc_1",
      status: "sent",
      sequence: 2,
      occurredAt,
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      parts: 1,
      cost: 420,
      currency: "EUR",
      errorCode: null,
      reference: null,
      callbackUrl: "https://example.com/hook",
    };
    const event = webhookAttemptedEvent(change, {
      number: 3,
      endpoint: "https://example.com/hook",
      result: answered(500),
      outcome: "retrying",
      now,
    });
    expect(MessageEvent.parse(event)).toEqual(event);
    expect(event.eventId).toBe("msg_1:webhook:2:3");
    expect(event.data).toEqual({
      sequence: 2,
      status: "sent",
      attempt: 3,
      endpoint: "https://example.com/hook",
      httpStatus: 500,
      latencyMs: 12,
      error: null,
      outcome: "retrying",
    });
  });
});
