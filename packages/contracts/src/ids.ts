import { decodeTime, monotonicFactory } from "ulidx";

// ulidx's default draws one byte per character from crypto.getRandomValues (16 calls per id,
// ~3 % of ingress's CPU in the bench's profile); the same CSPRNG, drawn 4 KiB at a time.
const pool = new Uint8Array(4096);
let poolAt = pool.length;
/** A uniform draw in [0, 1) in steps of 1/256, so `floor(x * 32)` is uniform over 0..31. */
function pooledRandom(): number {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  return (pool[poolAt++] ?? 0) / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

/** `msg_` + a ULID: unique, opaque, URL-safe and sortable by creation time. */
export function newMessageId(now: number = Date.now()): string {
  return `msg_${nextUlid(now)}`;
}

export const MESSAGE_ID_PATTERN = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isMessageId(value: string): boolean {
  return MESSAGE_ID_PATTERN.test(value);
}

/** When a message id was made (its ULID's time, ms since the epoch); null if not one of ours. */
export function messageIdTime(messageId: string): number | null {
  return isMessageId(messageId) ? decodeTime(messageId.slice(4)) : null;
}

/**
 * Event ids are derived from what the event records, so a handler that runs twice
 * produces the same id and JetStream's de-duplication (Nats-Msg-Id) drops the copy.
 */
export function eventIdFor(messageId: string, ...parts: Array<string | number>): string {
  return [messageId, ...parts].join(":");
}
