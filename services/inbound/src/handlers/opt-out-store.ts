import { Bucket, type KV, type KvEntry } from "@nats-io/kv";
import { OptOutRecord, optOutKey } from "@smsgw/contracts";
import { numberSha256 } from "@smsgw/service-kit";

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

    /**
     * Erase-number (ADR 0021): a START leaves a delete marker whose key holds the number's
     * digits, for as long as the bucket keeps it. Removes every such marker of the number
     * whose SHA-256 this is, in every account; a live opt-out stays (the person's objection
     * is honoured after the erasure too). Reads the whole bucket: an operator's rare command.
     * Returns how many markers went.
     */
    async forgetRemoved(digest: string): Promise<number> {
      // The bucket's own stream and subjects (openBucket's KV is a Bucket).
      if (!(kv instanceof Bucket)) throw new Error("the opt-out store needs a JetStream bucket");
      const markers: KvEntry[] = [];
      const history = await kv.history({ key: ">" });
      for await (const entry of history) {
        if (entry.operation !== "PUT" && numberSha256(numberOfKey(entry.key)) === digest)
          markers.push(entry);
      }
      for (const marker of markers) {
        // Up to the marker's own sequence: a STOP put after it (a newer message) stays.
        await kv.jsm.streams.purge(kv.stream, {
          filter: kv.subjectForKey(marker.key),
          seq: marker.revision + 1,
        });
      }
      return markers.length;
    },

    /**
     * The account's whole list, in no order. One pass over the account's keys in the bucket's
     * stream (the bucket keeps one entry per key, so its history is its last values), not a
     * read per key: a sender with tens of thousands of opt-outs is listed in one consumer's
     * stream of messages, not as many round trips.
     */
    async list(accountId: string): Promise<Array<OptOutRecord & { revision: number }>> {
      const records: Array<OptOutRecord & { revision: number }> = [];
      for await (const entry of await kv.history({ key: `${accountId}.*` })) {
        const record = recordOf(entry);
        if (record) records.push({ ...record, revision: entry.revision });
      }
      return records;
    },
  };
}

export type OptOutStore = ReturnType<typeof createOptOutStore>;

/** `optOutKey`'s number, back in E.164. */
function numberOfKey(key: string): string {
  return `+${key.slice(key.lastIndexOf(".") + 1)}`;
}
