import type { KV } from "@nats-io/kv";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import type { z } from "zod";
import { mirrorChanges } from "../domain/mirror.ts";

/**
 * A KV bucket the doors watch, kept as a copy of one of this service's tables (ADR 0019):
 * who holds each number, each account's approved sender IDs. The table is the record: a
 * change writes the bucket right after it commits, and such a write that fails is logged,
 * never answered as a failure (the change is made); a sync at start and every `everyMs`
 * makes the bucket say what the table says, which also covers the operator's CLI (no NATS).
 */
export function createKvMirror<T>(options: {
  kv: KV;
  schema: z.ZodType<T>;
  keyOf(entry: T): string;
  same(a: T, b: T): boolean;
  log: Logger;
  what: string;
}) {
  const { kv, schema, keyOf, log } = options;
  const warn = (error: unknown) =>
    log.warn(
      { err: errorMessage(error) },
      `${options.what} bucket not written; the next sync mends it`,
    );
  const write = (entry: T) => kv.put(keyOf(entry), JSON.stringify(schema.parse(entry)));
  return {
    what: options.what,
    async put(entry: T): Promise<void> {
      await write(entry).catch(warn);
    },
    async remove(key: string): Promise<void> {
      await kv.delete(key).catch(warn);
    },
    /** Makes the bucket say what the table says; how many keys it put and removed. */
    async sync(table: readonly T[]): Promise<{ put: number; removed: number }> {
      const have = new Map<string, T>();
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== "PUT") continue;
        const parsed = schema.safeParse(entry.json());
        if (parsed.success) have.set(key, parsed.data);
      }
      const changes = mirrorChanges(table, have, keyOf, options.same);
      for (const entry of changes.put) await write(entry);
      for (const key of changes.remove) await kv.delete(key);
      return { put: changes.put.length, removed: changes.remove.length };
    },
  };
}

export type KvMirror<T> = ReturnType<typeof createKvMirror<T>>;

/** Syncs at once, then every `everyMs` (replicas may sync together: the writes are the same). */
export function startMirrorSync<T>(deps: {
  mirror: Pick<KvMirror<T>, "sync" | "what">;
  table(): Promise<T[]>;
  everyMs: number;
  log: Logger;
}): { first: Promise<void>; stop(): Promise<void> } {
  const { what } = deps.mirror;
  let running: Promise<void> | undefined;
  const round = () => {
    running ??= deps
      .table()
      .then((table) => deps.mirror.sync(table))
      .then((changed) => {
        if (changed.put + changed.removed > 0) deps.log.info(changed, `${what} bucket mended`);
      })
      .catch((error: unknown) =>
        deps.log.warn(
          { err: errorMessage(error) },
          `${what} bucket sync failed; next round retries`,
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
