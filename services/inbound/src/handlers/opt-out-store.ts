import type { KV, KvEntry } from "@nats-io/kv";
import { OptOutRecord, optOutKey } from "@smsgw/contracts";

/**
 * The accounts' opt-out lists, kept in the KV bucket that every door watches (ADR 0019): the
 * bucket is the record (as routing's route table is), written only by this service.
 */
export function createOptOutStore(kv: KV) {
  const recordOf = (entry: KvEntry | null): OptOutRecord | undefined => {
    if (entry?.operation !== "PUT") return undefined;
    const parsed = OptOutRecord.safeParse(entry.json());
    return parsed.success ? parsed.data : undefined;
  };
  const find = async (accountId: string, number: string) =>
    recordOf(await kv.get(optOutKey(accountId, number)));
  return {
    find,

    /** Puts the number on the account's list (again: its `since` stays the first). */
    async add(accountId: string, number: string, source: string, now: Date): Promise<OptOutRecord> {
      const key = optOutKey(accountId, number);
      const current = await find(accountId, number);
      if (current) return current;
      const record: OptOutRecord = { accountId, number, since: now.toISOString(), source };
      await kv.put(key, JSON.stringify(record));
      return record;
    },

    /** Takes it off; false when it was not on the list. */
    async remove(accountId: string, number: string): Promise<boolean> {
      if (!(await find(accountId, number))) return false;
      await kv.delete(optOutKey(accountId, number));
      return true;
    },

    /** The account's list, oldest first. */
    async list(accountId: string): Promise<OptOutRecord[]> {
      const keys: string[] = [];
      for await (const key of await kv.keys(`${accountId}.*`)) keys.push(key);
      const records: OptOutRecord[] = [];
      for (const key of keys) {
        const record = recordOf(await kv.get(key));
        if (record) records.push(record);
      }
      return records.sort((a, b) => a.since.localeCompare(b.since));
    },
  };
}

export type OptOutStore = ReturnType<typeof createOptOutStore>;
