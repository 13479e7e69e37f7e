import type { AccountRecord } from "@smsgw/contracts";
import { type Nats, openBucket } from "@smsgw/service-kit";

/** Where pricing publishes the accounts' credentials for ingress and the dispatcher. */
export interface AccountsKv {
  put(record: AccountRecord): Promise<void>;
}

/**
 * Opens the accounts bucket for writing, created with the same options as its readers
 * (service-kit's `openBucket`: history 1, STREAM_REPLICAS copies), whoever starts first.
 */
export async function openAccountsKv(nats: Nats, bucket: string): Promise<AccountsKv> {
  const kv = await openBucket(nats.nc, bucket);
  return {
    async put(record) {
      await kv.put(record.hash, JSON.stringify(record));
    },
  };
}
