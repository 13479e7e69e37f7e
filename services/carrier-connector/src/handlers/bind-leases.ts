import type { KV, KvEntry } from "@nats-io/kv";
import {
  errorMessage,
  isWrongRevision,
  type Logger,
  type Nats,
  openBucket,
} from "@smsgw/service-kit";
import { isFresh, planCarrierLeases, type SlotView } from "../domain/lease-plan.ts";
import type { CarrierLink } from "./carrier-link.ts";

export interface BindLeasesDeps {
  nc: Nats["nc"];
  bucket: string;
  replica: string;
  /** The running links (the registry's map: replaced and removed carriers show here). */
  links: () => ReadonlyMap<string, CarrierLink>;
  log: Logger;
  /** How often leases are renewed and the table read. */
  renewMs: number;
  /** A lease (or a replica's heartbeat) not written for this long is stale: free to take. */
  ttlMs: number;
  /** After each round: leases or binds elsewhere may have changed. */
  onChange(): void;
}

/** A lease's value. `replica` "" = released. */
interface LeaseValue {
  replica: string;
  bound: boolean;
}

interface Held {
  carrierId: string;
  index: number;
  link: CarrierLink;
  revision: number;
  /** Local time the last successful write was sent: past ttl - renew we stop trusting it. */
  renewedAt: number;
  releasing: boolean;
  /** Its binds are closed: write it free on the next round. */
  drained: boolean;
}

export interface BindLeases {
  /** Another live replica says its bind to this carrier is up. */
  boundElsewhere(carrierId: string): boolean;
  /**
   * The replica's heartbeat was fresh at the last round (this replica always is). False
   * only once a round has run and did not see it: a claim of a dead replica is decided.
   */
  isAlive(replica: string): boolean;
  /** One round now (tests; the admin API after a change). */
  renewNow(): Promise<void>;
  /** Stops renewing and writes every held lease free (call after the links are stopped). */
  stop(): Promise<void>;
}

const slotKey = (carrierId: string, index: number) => `slot.${carrierId}.${index}`;
const replicaKey = (replica: string) => `replica.${replica}`;
const SLOT_KEY = /^slot\.([a-z0-9_-]+)\.(\d+)$/;

/**
 * Leases the carriers' bind slots in a KV bucket (ADR 0007): every `renewMs` this replica
 * writes its heartbeat, reads the table, renews its leases with compare-and-set on their
 * revision (a failed compare means another replica took the slot: its binds close at once),
 * then takes and gives back slots as `planCarrierLeases` says. Staleness is judged on the
 * server's write times, so replicas' clocks do not matter; a replica that cannot renew closes
 * its binds before the others may take them (ttl - renewMs after its last good write).
 */
export async function startBindLeases(deps: BindLeasesDeps): Promise<BindLeases> {
  const { log, replica: me } = deps;
  // STREAM_REPLICAS copies (the kit): on a cluster the leases survive a node like the stream.
  const kv = await openBucket(deps.nc, deps.bucket);
  const held = new Map<string, Held>();
  let boundOthers = new Set<string>();
  let liveReplicas: ReadonlySet<string> | null = null;
  let round: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const value = (v: LeaseValue) => JSON.stringify(v);

  function drop(key: string, h: Held, why: string): void {
    held.delete(key);
    log.warn({ carrierId: h.carrierId, slot: h.index, why }, "bind lease lost: closing its bind");
    void h.link.removeSlot(h.index);
  }

  function release(h: Held): void {
    h.releasing = true;
    log.info({ carrierId: h.carrierId, slot: h.index }, "giving a bind slot back");
    void h.link.removeSlot(h.index).finally(() => {
      h.drained = true;
    });
  }

  async function once(): Promise<void> {
    const sentAt = Date.now();
    await kv.put(replicaKey(me), value({ replica: me, bound: false }));
    const entries = await readAll(kv);
    let serverNow = 0;
    for (const entry of entries.values()) serverNow = Math.max(serverNow, entry.created.getTime());
    const fresh = (e: KvEntry) => isFresh(e.created.getTime(), serverNow, deps.ttlMs);

    const live: string[] = [];
    const table = new Map<string, Map<number, SlotView & { revision: number }>>();
    const others = new Set<string>();
    for (const [key, entry] of entries) {
      if (key.startsWith("replica.")) {
        if (fresh(entry)) live.push(key.slice("replica.".length));
        continue;
      }
      const match = SLOT_KEY.exec(key);
      if (!match?.[1] || !match[2]) continue;
      const lease = parseLease(entry);
      const holder = lease?.replica && fresh(entry) ? lease.replica : undefined;
      const slots = table.get(match[1]) ?? new Map();
      const index = Number(match[2]);
      slots.set(index, { index, holder, bound: lease?.bound ?? false, revision: entry.revision });
      table.set(match[1], slots);
      if (holder && holder !== me && lease?.bound) others.add(match[1]);
    }
    boundOthers = others;
    liveReplicas = new Set(live);
    const links = deps.links();

    // Mine: still mine (same revision as my last write)? Renew, free it, or hand it on.
    for (const [key, h] of [...held]) {
      const entry = entries.get(key);
      if (!entry || entry.revision !== h.revision) {
        drop(key, h, "written by another replica");
        continue;
      }
      const link = links.get(h.carrierId);
      if (!link && !h.releasing) release(h);
      else if (link && link !== h.link && !h.releasing) {
        // The carrier was reconfigured: the new link takes over the slot (the old one drains).
        h.link = link;
        link.addSlot(h.index);
      }
      const free = h.drained;
      try {
        h.revision = await kv.update(
          key,
          value({ replica: free ? "" : me, bound: !free && h.link.slotBound(h.index) }),
          h.revision,
        );
        h.renewedAt = sentAt;
        if (free) held.delete(key);
        table.get(h.carrierId)?.set(h.index, {
          index: h.index,
          holder: free ? undefined : me,
          bound: false,
          revision: h.revision,
        });
      } catch (error) {
        if (isWrongRevision(error)) drop(key, h, "compare-and-set refused");
        else log.warn({ key, err: errorMessage(error) }, "bind lease not renewed");
      }
    }
    // Fencing: a lease not renewed for ttl - renew may be taken by now; stop using it first.
    for (const [key, h] of [...held]) {
      if (Date.now() - h.renewedAt > deps.ttlMs - deps.renewMs) drop(key, h, "not renewed in time");
    }

    for (const link of links.values()) {
      const id = link.carrier.id;
      // A slot the table says is mine but I do not hold (this replica id restarted): take it
      // again like a free one, with compare-and-set, before its binds open.
      const slots = [...(table.get(id)?.values() ?? [])].map((s) =>
        s.holder === me && !held.has(slotKey(id, s.index)) ? { ...s, holder: undefined } : s,
      );
      const plan = planCarrierLeases(link.carrier.binds, slots, me, live);
      for (const index of plan.release) {
        const key = slotKey(id, index);
        const h = held.get(key);
        if (h && !h.releasing) release(h);
      }
      for (const index of plan.take) {
        const key = slotKey(id, index);
        if (held.has(key)) continue;
        const current = table.get(id)?.get(index);
        const lease = value({ replica: me, bound: false });
        try {
          const revision = current
            ? await kv.update(key, lease, current.revision)
            : await kv.create(key, lease);
          held.set(key, {
            carrierId: id,
            index,
            link,
            revision,
            renewedAt: sentAt,
            releasing: false,
            drained: false,
          });
          log.info(
            { carrierId: id, slot: index, taken: current?.holder ?? null },
            "bind slot taken",
          );
          link.addSlot(index);
        } catch (error) {
          // Another replica was quicker: fine, the next round sees it.
          if (!isWrongRevision(error))
            log.warn({ key, err: errorMessage(error) }, "bind slot not taken");
        }
      }
    }
  }

  function runRound(): Promise<void> {
    round = round.then(async () => {
      if (stopped) return;
      try {
        await once();
      } catch (error) {
        log.warn({ err: errorMessage(error) }, "bind leases not renewed this round");
        // Fencing does not wait for a round that works: check it here too.
        for (const [key, h] of [...held]) {
          if (Date.now() - h.renewedAt > deps.ttlMs - deps.renewMs)
            drop(key, h, "not renewed in time");
        }
      }
      deps.onChange();
    });
    return round;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void runRound().finally(schedule), deps.renewMs);
    timer.unref();
  };
  await runRound();
  schedule();

  return {
    boundElsewhere: (carrierId) => boundOthers.has(carrierId),
    isAlive: (replica) => replica === me || liveReplicas === null || liveReplicas.has(replica),
    renewNow: runRound,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      await Promise.all(
        [...held].map(async ([key, h]) => {
          await h.link.removeSlot(h.index);
          await kv
            .update(key, value({ replica: "", bound: false }), h.revision)
            .catch(() => undefined);
        }),
      );
      held.clear();
      await kv.delete(replicaKey(me)).catch(() => undefined);
    },
  };
}

async function readAll(kv: KV): Promise<Map<string, KvEntry>> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  const out = new Map<string, KvEntry>();
  for (const entry of entries) if (entry?.operation === "PUT") out.set(entry.key, entry);
  return out;
}

function parseLease(entry: KvEntry): LeaseValue | undefined {
  try {
    const parsed = entry.json<Partial<LeaseValue>>();
    return { replica: String(parsed.replica ?? ""), bound: parsed.bound === true };
  } catch {
    return undefined;
  }
}

/** The server refused a compare-and-set: the key is not at the revision we wrote. */
