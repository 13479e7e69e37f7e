import { AccountRecord, WebhookSecretsRecord } from "@smsgw/contracts";
import { type KvCache, type Logger, type Nats, startKvCache } from "@smsgw/service-kit";

/** An account as the dispatcher signs for it: its record and its webhook secrets. */
export type SigningAccount = AccountRecord & { webhookSecrets: string[] };

/**
 * Accounts by accountId, read from the accounts KV bucket (which pricing keys by hash), with
 * their webhook secrets from the secrets bucket only the dispatcher reads (ADR 0015).
 */
export interface AccountDirectory {
  /** Undefined until both the record and its secrets are known. */
  byAccountId(accountId: string): SigningAccount | undefined;
  stop(): Promise<void>;
}

export async function startAccountDirectory(
  nc: Nats["nc"],
  buckets: { accounts: string; webhookSecrets: string },
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
  const cache: KvCache<AccountRecord> = await startKvCache(nc, buckets.accounts, indexed, log);
  const secrets: KvCache<WebhookSecretsRecord> = await startKvCache(
    nc,
    buckets.webhookSecrets,
    WebhookSecretsRecord,
    log,
  ).catch(async (error: unknown) => {
    await cache.stop();
    throw error;
  });
  return {
    byAccountId(accountId) {
      const hash = hashOf.get(accountId);
      const record = hash === undefined ? undefined : cache.get(hash);
      if (record?.accountId !== accountId) return undefined;
      const own = secrets.get(record.hash);
      // A record from before the secrets' bucket carries them itself.
      const webhookSecrets =
        own?.accountId === accountId ? own.webhookSecrets : record.webhookSecrets;
      return webhookSecrets ? { ...record, webhookSecrets } : undefined;
    },
    async stop() {
      await Promise.all([cache.stop(), secrets.stop()]);
    },
  };
}
