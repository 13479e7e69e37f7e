import { AccountRecord } from "@smsgw/contracts";
import { type KvCache, type Logger, type Nats, startKvCache } from "@smsgw/service-kit";

/** Accounts by accountId, read from the accounts KV bucket (which pricing keys by hash). */
export interface AccountDirectory {
  byAccountId(accountId: string): AccountRecord | undefined;
  stop(): Promise<void>;
}

export async function startAccountDirectory(
  nc: Nats["nc"],
  bucket: string,
  log: Logger,
): Promise<AccountDirectory> {
  // accountId -> hash, filled as the cache parses each record it is given. The cache
  // stays the source of truth: a hash that is gone, or now names another account,
  // is not trusted (so deletes and re-keys need no second watch).
  const hashOf = new Map<string, string>();
  const indexed = AccountRecord.transform((record) => {
    hashOf.set(record.accountId, record.hash);
    return record;
  });
  const cache: KvCache<AccountRecord> = await startKvCache(nc, bucket, indexed, log);
  return {
    byAccountId(accountId) {
      const hash = hashOf.get(accountId);
      const record = hash === undefined ? undefined : cache.get(hash);
      return record?.accountId === accountId ? record : undefined;
    },
    stop: () => cache.stop(),
  };
}
