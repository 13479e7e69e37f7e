import { monotonicFactory } from "ulidx";

const nextUlid = monotonicFactory();

/** `msg_` + a ULID: unique, opaque, URL-safe and sortable by creation time. */
export function newMessageId(now: number = Date.now()): string {
  return `msg_${nextUlid(now)}`;
}

export const MESSAGE_ID_PATTERN = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isMessageId(value: string): boolean {
  return MESSAGE_ID_PATTERN.test(value);
}

/**
 * Event ids are derived from what the event records, so a handler that runs twice
 * produces the same id and JetStream's de-duplication (Nats-Msg-Id) drops the copy.
 */
export function eventIdFor(messageId: string, ...parts: Array<string | number>): string {
  return [messageId, ...parts].join(":");
}
