import type { AccountRecord } from "@smsgw/contracts";
import { isWrongRevision, type Nats, openBucket } from "@smsgw/service-kit";

/** Where pricing publishes the accounts' credentials for ingress and the dispatcher. */
export interface AccountsKv {
  /** Publishes the record unless the bucket holds a newer one of the account. */
  put(record: AccountRecord): Promise<void>;
}

/** Puts that lose the race this many times in a row give up (the caller retries later). */
const MOST_RACES = 5;

/**
 * Opens the accounts bucket for writing, created with the same options as its readers
 * (service-kit's `openBucket`: history 1, STREAM_REPLICAS copies), whoever starts first.
 *
 * Two publishes of one account can finish in either order (a change and the republish at
 * start, two replicas, a retry after a failed put): a plain put lets the older record land
 * last and bring back an old token hash. So a put is a compare-and-set on the key's revision
 * that never replaces a record with a later `updatedAt`.
 */
export async function openAccountsKv(nats: Nats, bucket: string): Promise<AccountsKv> {
  const kv = await openBucket(nats.nc, bucket);
  return {
    async put(record) {
      const value = JSON.stringify(record);
      for (let race = 1; ; race++) {
        const current = await kv.get(record.hash);
        const held = current?.operation === "PUT" ? heldUpdatedAt(current.json()) : null;
        if (held !== null && held > Date.parse(record.updatedAt)) return;
        try {
          if (current) await kv.update(record.hash, value, current.revision);
          else await kv.create(record.hash, value);
          return;
        } catch (error) {
          if (!isWrongRevision(error) || race >= MOST_RACES) throw error;
        }
      }
    },
  };
}

function heldUpdatedAt(json: unknown): number | null {
  const at = (json as { updatedAt?: unknown } | null)?.updatedAt;
  const ms = typeof at === "string" ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}
