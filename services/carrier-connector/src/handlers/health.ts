import { hostname } from "node:os";
import { CarrierHealth, type CarrierHealth as Health } from "@smsgw/contracts";
import { errorMessage, type Logger, type Nats, openBucket } from "@smsgw/service-kit";
import type { ScoreCounter } from "../domain/score-counter.ts";
import type { CarrierLink } from "./carrier-link.ts";

export interface HealthPublisherDeps {
  nc: Nats["nc"];
  bucket: string;
  replica: string;
  links: () => Iterable<CarrierLink>;
  log: Logger;
  intervalMs: number;
  /** This replica's counts per carrier and score key, published with the health (ADR 0009). */
  counts?: ScoreCounter;
}

/** A stable id of this process: hostname + pid, made safe as a KV key token. */
export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

/**
 * Publishes each carrier's health (`CarrierHealth`) to the KV bucket under
 * `<carrierId>.<replica>`, every `intervalMs` and soon after any bind change (changes within
 * 50 ms share one round), with this replica's counts for routing's scores. On stop it writes
 * bindsUp 0, so routing does not trust a gone replica. A carrier's first round takes back the
 * counts of its record from before (a restart with the same REPLICA_ID overwrites it).
 */
export async function startHealthPublisher(deps: HealthPublisherDeps) {
  const kv = await openBucket(deps.nc, deps.bucket);
  let pending: NodeJS.Timeout | undefined;
  let publishing: Promise<void> = Promise.resolve();
  let stopped = false;

  const recordOf = (link: CarrierLink, now: Date, down: boolean): Health => {
    const status = link.status(now.getTime());
    return CarrierHealth.parse({
      carrierId: link.carrier.id,
      replica: deps.replica,
      bindsUp: down ? 0 : status.bindsUp,
      bindsWanted: status.bindsWanted,
      throttled: status.throttled,
      unresponsive: status.unresponsive,
      recentSubmitErrors: status.recentSubmitErrors,
      recentSubmits: status.recentSubmits,
      simulated: link.carrier.simulated,
      // Routing tells ingress which routes to bill with a 16-bit UDH's smaller parts (ADR 0011).
      concat: link.carrier.concat,
      updatedAt: now.toISOString(),
      ...(deps.counts
        ? {
            countSlotMs: deps.counts.slotMs,
            counts: deps.counts.countsOf(link.carrier.id, now.getTime()),
          }
        : {}),
    });
  };
  const seeded = new Set<string>();

  async function seed(carrierId: string, key: string): Promise<void> {
    if (!deps.counts || seeded.has(carrierId)) return;
    seeded.add(carrierId);
    const entry = await kv.get(key).catch(() => null);
    if (entry?.operation !== "PUT") return;
    const before = CarrierHealth.safeParse(entry.json());
    if (before.success) deps.counts.seed(carrierId, before.data.counts ?? []);
  }

  function publish(down = false): Promise<void> {
    publishing = publishing.then(async () => {
      const now = new Date();
      for (const link of deps.links()) {
        try {
          const key = `${link.carrier.id}.${deps.replica}`;
          await seed(link.carrier.id, key);
          const record = recordOf(link, now, down);
          await kv.put(key, JSON.stringify(record));
        } catch (error) {
          deps.log.warn(
            { carrierId: link.carrier.id, err: errorMessage(error) },
            "health not published",
          );
        }
      }
    });
    return publishing;
  }

  const timer = setInterval(() => void publish(), deps.intervalMs);
  timer.unref();
  await publish();

  return {
    /** A bind changed: publish soon. */
    changed(): void {
      if (stopped || pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        void publish();
      }, 50);
    },
    publishNow: () => publish(),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      clearTimeout(pending);
      await publish(true);
    },
  };
}
