import type { AccountRecord, WebhookSecretsRecord } from "@smsgw/contracts";
import { isWrongRevision, type Nats, openBucket } from "@smsgw/service-kit";

/**
 * Where pricing publishes the accounts' credentials: the record every door reads (accounts
 * bucket) and the webhook secrets only the dispatcher reads (secrets bucket).
 */
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
export async function openAccountsKv(
  nats: Nats,
  buckets: { accounts: string; webhookSecrets: string },
): Promise<AccountsKv> {
  const [accounts, secrets] = await Promise.all([
    openBucket(nats.nc, buckets.accounts),
    openBucket(nats.nc, buckets.webhookSecrets),
  ]);
  return {
    async put(record) {
      // The secrets go to their own bucket, which only the dispatcher reads (ADR 0015); the
      // record every door reads carries none. Secrets first: a dispatcher that sees the new
      // record finds the secrets it signs with.
      const { webhookSecrets, ...shared } = record;
      if (webhookSecrets) {
        const own: WebhookSecretsRecord = {
          accountId: record.accountId,
          hash: record.hash,
          webhookSecrets,
          updatedAt: record.updatedAt,
        };
        await putNewer(secrets, record.hash, own);
      }
      await putNewer(accounts, record.hash, shared);
    },
  };
}

/** Puts the value under the key unless the bucket holds one with a later `updatedAt`. */
async function putNewer(
  kv: Awaited<ReturnType<typeof openBucket>>,
  key: string,
  record: { updatedAt: string },
): Promise<void> {
  const value = JSON.stringify(record);
  for (let race = 1; ; race++) {
    const current = await kv.get(key);
    const held = current?.operation === "PUT" ? heldUpdatedAt(current.json()) : null;
    if (held !== null && held > Date.parse(record.updatedAt)) return;
    try {
      if (current) await kv.update(key, value, current.revision);
      else await kv.create(key, value);
      return;
    } catch (error) {
      if (!isWrongRevision(error) || race >= MOST_RACES) throw error;
    }
  }
}

function heldUpdatedAt(json: unknown): number | null {
  const at = (json as { updatedAt?: unknown } | null)?.updatedAt;
  const ms = typeof at === "string" ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}
