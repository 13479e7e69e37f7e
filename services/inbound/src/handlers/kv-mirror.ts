import type { KV } from "@nats-io/kv";
import { errorMessage, isWrongRevision, type Logger } from "@smsgw/service-kit";
import type { z } from "zod";
import { type BucketEntry, mirrorChanges } from "../domain/mirror.ts";

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
  /** Puts the entry; with `revision`, only if its key is still at that revision (0: no key). */
  const write = (entry: T, revision?: number) =>
    kv.put(
      keyOf(entry),
      JSON.stringify(schema.parse(entry)),
      revision === undefined ? undefined : { previousSeq: revision },
    );
  const mirror = {
    what: options.what,
    async put(entry: T): Promise<void> {
      await write(entry).catch(warn);
    },
    async remove(key: string): Promise<void> {
      await kv.delete(key).catch(warn);
    },
    /**
     * Makes the bucket say what the table says; how many keys it put and removed, and how many
     * writes a concurrent change refused (it wins: its own write, or the next sync, mends it).
     * The bucket is read before the table, and each write is a compare-and-set against the
     * revision read (`mirrorChanges`): a take or release in between is never undone.
     */
    async sync(
      table: () => Promise<readonly T[]>,
    ): Promise<{ put: number; removed: number; refused: number }> {
      // The table's keys now, so that the bucket read knows the revision of those it lacks.
      const known = (await table()).map(keyOf);
      const have = await read(known);
      const writes = mirrorChanges(await table(), have, keyOf, options.same);
      const done = { put: 0, removed: 0, refused: 0 };
      for (const change of writes) {
        try {
          if (change.kind === "put") {
            await write(change.entry, change.revision);
            done.put += 1;
          } else {
            await kv.delete(change.key, { previousSeq: change.revision });
            done.removed += 1;
          }
        } catch (error) {
          if (!isWrongRevision(error)) throw error;
          done.refused += 1;
        }
      }
      return done;
    },
  };
  return mirror;

  /** Every key's entry and revision: the live ones, and those of `also` (deleted, or never written: 0). */
  async function read(also: readonly string[]): Promise<Map<string, BucketEntry<T>>> {
    const have = new Map<string, BucketEntry<T>>();
    const look = async (key: string) => {
      const entry = await kv.get(key);
      if (entry === null) return have.set(key, { value: undefined, revision: 0 });
      const parsed = entry.operation === "PUT" ? schema.safeParse(entry.json()) : undefined;
      // A value that does not parse is rewritten, as a missing one.
      return have.set(key, { value: parsed?.data, revision: entry.revision });
    };
    for await (const key of await kv.keys()) await look(key);
    for (const key of also) if (!have.has(key)) await look(key);
    return have;
  }
}

export type KvMirror<T> = ReturnType<typeof createKvMirror<T>>;

/** Syncs at once, then every `everyMs` (replicas may sync together: the writes are the same). */
export function startMirrorSync<T>(deps: {
  mirror: Pick<KvMirror<T>, "sync" | "what">;
  /** Read by the sync after the bucket (and once before, for the keys to look at). */
  table(): Promise<T[]>;
  everyMs: number;
  log: Logger;
}): { first: Promise<void>; stop(): Promise<void> } {
  const { what } = deps.mirror;
  let running: Promise<void> | undefined;
  const round = () => {
    running ??= deps.mirror
      .sync(deps.table)
      .then((changed) => {
        if (changed.put + changed.removed + changed.refused > 0) {
          deps.log.info(changed, `${what} bucket mended`);
        }
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
