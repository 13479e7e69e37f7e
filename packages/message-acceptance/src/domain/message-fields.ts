import type { MessageStatus } from "@smsgw/contracts";

/**
 * What a client asks to send, whatever door it came in by (the compatible endpoint, v1,
 * SMPP), validated for shape only: the text's length is bounded, its parts not counted yet.
 */
export interface MessageFields {
  /** The recipient as given: E.164 is checked by `checkPhone`. */
  toNumber: string;
  fromNumber: string;
  text: string;
  callbackUrl: string | null;
  /** The statuses to report, expanded; null = the default `sent,final`. */
  callbackStatuses: MessageStatus[] | null;
}

export interface ScheduleLimits {
  /** How far ahead `sendAt` may be (ms). */
  maxScheduleAheadMs: number;
  /** How long after sending (`sendAt` or now) `validUntil` may be (ms). */
  maxValidityMs: number;
}

export interface Schedule {
  /** ISO UTC, or null: send now. */
  sendAt: string | null;
  /** ISO UTC, or null: the carrier's default validity. */
  validUntil: string | null;
}
