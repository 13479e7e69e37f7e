import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { z } from "zod";
import { openBucket } from "./bucket.ts";

export interface KvCache<T> {
  get(key: string): T | undefined;
  /** Every current entry (for secondary indexes a reader builds itself). */
  values(): IterableIterator<T>;
  readonly size: number;
  stop(): Promise<void>;
}

/**
 * A read model kept in memory from a NATS KV bucket: loaded at start, then updated by
 * the bucket's watch, so readers answer without a round trip and see changes at once.
 * Resolves when the initial contents are loaded.
 */
export async function startKvCache<T>(
  nc: NatsConnection,
  bucket: string,
  schema: z.ZodType<T>,
  log: Logger,
): Promise<KvCache<T>> {
  const kv = await openBucket(nc, bucket);
  const entries = new Map<string, T>();
  const initialCount = (await kv.status()).values;
  let markLoaded: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    markLoaded = resolve;
  });
  if (initialCount === 0) markLoaded();

  // The watch is restarted whenever it ends or fails (a stream without a leader yet on a
  // cluster, a server gone): a cache that silently stopped would answer from stale data
  // forever. A new watch replays every current entry first, so nothing is missed.
  let watch: Awaited<ReturnType<typeof kv.watch>> | undefined;
  let stopped = false;
  const pump = (async () => {
    while (!stopped) {
      try {
        watch = await kv.watch();
        // stop() may have come while the watch was being opened: it saw no watch to stop.
        if (stopped) {
          watch.stop();
          break;
        }
        for await (const entry of watch) {
          if (entry.operation === "PUT") {
            // Not JSON at all is a mismatch too: thrown, it would end the watch at this entry
            // every time, and the entries after it (and the first load) would never come.
            const parsed = schema.safeParse(jsonOf(entry));
            if (parsed.success) entries.set(entry.key, parsed.data);
            else
              log.error({ bucket, key: entry.key }, "kv entry does not match its schema; ignored");
          } else {
            entries.delete(entry.key);
          }
          if (entry.isUpdate || entry.delta === 0) markLoaded();
        }
      } catch (error) {
        log.warn({ bucket, err: error }, "kv watch failed; watching again");
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  await loaded;
  return {
    get: (key) => entries.get(key),
    values: () => entries.values(),
    get size() {
      return entries.size;
    },
    async stop() {
      stopped = true;
      watch?.stop();
      await pump.catch(() => undefined);
    },
  };
}

/** The entry's JSON, or undefined when it is not JSON (the schema then refuses it). */
function jsonOf(entry: { json(): unknown }): unknown {
  try {
    return entry.json();
  } catch {
    return undefined;
  }
}
