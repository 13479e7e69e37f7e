import type { NatsConnection } from "@nats-io/transport-node";
import { SenderIdRecord, senderIdKey } from "@smsgw/contracts";
import { type Logger, startKvCache } from "@smsgw/service-kit";

export interface ApprovedSenderIds {
  /** The operator approved this alphanumeric sender ID for the account: a map lookup. */
  approved(accountId: string, sender: string): boolean;
  stop(): Promise<void>;
}

/**
 * The accounts' approved sender IDs as every door sees them: the inbound service's KV bucket,
 * in memory and kept current by a watch (loaded before the door opens), so the sender ID
 * registry costs one map lookup per alphanumeric send where a destination turns it on.
 */
export async function startApprovedSenderIds(
  nc: NatsConnection,
  bucket: string,
  log: Logger,
): Promise<ApprovedSenderIds> {
  const cache = await startKvCache(nc, bucket, SenderIdRecord, log);
  return {
    approved: (accountId, sender) => cache.get(senderIdKey(accountId, sender)) !== undefined,
    stop: () => cache.stop(),
  };
}
