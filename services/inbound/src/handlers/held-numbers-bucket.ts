import type { KV } from "@nats-io/kv";
import { OwnedNumberRecord, ownedNumberKey } from "@smsgw/contracts";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import { bucketChanges, type Hold } from "../domain/held-numbers.ts";

/**
 * The numbers KV bucket the doors watch (ADR 0019): which account holds which number, so a
 * numeric sender the account holds passes the sender rules without a round trip. The
 * inventory (`numbers`) is the record: a take or release writes here at once, and a sync
 * (at start and every `INBOUND_NUMBERS_SYNC_MS`) mends what a crash between the two, or an
 * operator's change to the inventory, left behind. Its writes never fail the API call.
 */
export function createHeldNumbersBucket(kv: KV, log: Logger) {
  const warn = (error: unknown) =>
    log.warn({ err: errorMessage(error) }, "numbers bucket not written; the next sync mends it");
  const put = (hold: Hold) =>
    kv.put(ownedNumberKey(hold.number), JSON.stringify(OwnedNumberRecord.parse(hold)));
  return {
    async held(hold: Hold): Promise<void> {
      await put(hold).catch(warn);
    },
    async released(number: string): Promise<void> {
      await kv.delete(ownedNumberKey(number)).catch(warn);
    },
    /** Makes the bucket say what the inventory says. */
    async sync(inventory: readonly Hold[]): Promise<{ put: number; removed: number }> {
      const bucket: Hold[] = [];
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== "PUT") continue;
        const parsed = OwnedNumberRecord.safeParse(entry.json());
        if (parsed.success) bucket.push(parsed.data);
      }
      const changes = bucketChanges(inventory, bucket);
      for (const hold of changes.put) await put(hold);
      for (const number of changes.remove) await kv.delete(ownedNumberKey(number));
      return { put: changes.put.length, removed: changes.remove.length };
    },
  };
}

export type HeldNumbersBucket = ReturnType<typeof createHeldNumbersBucket>;

/** Syncs at once, then every `everyMs` (replicas may sync together: the writes are the same). */
export function startHeldNumbersSync(deps: {
  bucket: HeldNumbersBucket;
  holds(): Promise<Hold[]>;
  everyMs: number;
  log: Logger;
}): { first: Promise<void>; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const round = () => {
    running ??= deps
      .holds()
      .then((holds) => deps.bucket.sync(holds))
      .then((changed) => {
        if (changed.put + changed.removed > 0) deps.log.info(changed, "numbers bucket mended");
      })
      .catch((error: unknown) =>
        deps.log.warn(
          { err: errorMessage(error) },
          "numbers bucket sync failed; next round retries",
        ),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const first = round();
  const timer = setInterval(round, deps.everyMs);
  timer.unref();
  return {
    first,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
