import type { NatsConnection } from "@nats-io/transport-node";
import { OwnedNumberRecord, ownedNumberKey } from "@smsgw/contracts";
import { type Logger, startKvCache } from "@smsgw/service-kit";

export interface OwnedNumbers {
  /** The account holds this number (the sender as given, with or without "+"): a map lookup. */
  owns(accountId: string, sender: string): boolean;
  stop(): Promise<void>;
}

/**
 * Who holds which number, as every door sees it: the inbound service's KV bucket, in memory
 * and kept current by a watch (loaded before the door opens), so judging a numeric sender
 * costs one map lookup and no round trip. A number taken reaches the doors within the
 * watch's delay; one released stops being the account's sender as fast.
 */
export async function startOwnedNumbers(
  nc: NatsConnection,
  bucket: string,
  log: Logger,
): Promise<OwnedNumbers> {
  const cache = await startKvCache(nc, bucket, OwnedNumberRecord, log);
  return {
    owns: (accountId, sender) => cache.get(ownedNumberKey(sender))?.accountId === accountId,
    stop: () => cache.stop(),
  };
}
