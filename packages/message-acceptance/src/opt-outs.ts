import type { NatsConnection } from "@nats-io/transport-node";
import { OptOutRecord, optOutKey } from "@smsgw/contracts";
import { type Logger, startKvCache } from "@smsgw/service-kit";

export interface OptOutList {
  /** The number told the account STOP (and not START since): a map lookup. */
  optedOut(accountId: string, e164: string): boolean;
  stop(): Promise<void>;
}

/**
 * The accounts' opt-out lists as every door sees them: the inbound service's KV bucket, in
 * memory and kept current by a watch (loaded before the door opens), so checking a send
 * costs one map lookup and no round trip. A STOP reaches the doors within the watch's delay.
 */
export async function startOptOutList(
  nc: NatsConnection,
  bucket: string,
  log: Logger,
): Promise<OptOutList> {
  const cache = await startKvCache(nc, bucket, OptOutRecord, log);
  return {
    optedOut: (accountId, e164) => cache.get(optOutKey(accountId, e164)) !== undefined,
    stop: () => cache.stop(),
  };
}
