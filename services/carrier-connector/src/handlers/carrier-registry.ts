import { errorMessage, type Logger } from "@smsgw/service-kit";
import type { CarrierConfig } from "../config.ts";
import type { CarrierStore } from "../db/carrier-store.ts";
import type { CarrierLink } from "./carrier-link.ts";

export interface CarrierRegistryDeps {
  store: Pick<CarrierStore, "list" | "version" | "seed">;
  /** Stored on the first start, when the table is empty (env CARRIERS). */
  seed: readonly CarrierConfig[];
  /** The links the routed handler reads; changed in place. */
  links: Map<string, CarrierLink>;
  start(carrier: CarrierConfig): CarrierLink;
  log: Logger;
  reloadMs: number;
}

/**
 * Keeps the running links equal to the carriers table, without a restart: a new carrier
 * is bound, a removed one unbinds once the parts handed to it are sent, a changed one is
 * replaced (the new link goes in first, then the old one sends what it was handed and
 * unbinds, so its messages never see "not configured" and a long one is not cut in two).
 * The table is checked every `reloadMs` (cheaply: a count and the newest change) and at once
 * through `reload()` when this replica's admin API changed it.
 */
export async function startCarrierRegistry(deps: CarrierRegistryDeps) {
  const { links, log } = deps;
  let version = "";
  let reloading: Promise<void> = Promise.resolve();
  let stopped = false;

  async function desired(): Promise<readonly CarrierConfig[]> {
    const { carriers, invalid } = await deps.store.list();
    if (invalid.length > 0)
      log.error({ carriers: invalid }, "stored carriers that do not parse are ignored");
    return carriers;
  }

  async function apply(wanted: readonly CarrierConfig[]): Promise<void> {
    const byId = new Map(wanted.map((c) => [c.id, c]));
    const draining: Promise<void>[] = [];
    for (const [id, link] of links) {
      if (byId.has(id)) continue;
      links.delete(id);
      log.info({ carrierId: id }, "carrier removed: unbinding");
      draining.push(link.retire());
    }
    for (const carrier of wanted) {
      const current = links.get(carrier.id);
      if (current && JSON.stringify(current.carrier) === JSON.stringify(carrier)) continue;
      links.set(carrier.id, deps.start(carrier));
      log.info({ carrierId: carrier.id, replaced: current !== undefined }, "carrier configured");
      if (current) draining.push(current.retire());
    }
    await Promise.all(draining);
  }

  function reload(force = false): Promise<void> {
    reloading = reloading.then(async () => {
      if (stopped) return;
      try {
        const next = await deps.store.version();
        if (!force && next === version) return;
        version = next;
        await apply(await desired());
      } catch (error) {
        log.warn({ err: errorMessage(error) }, "carriers not reloaded; keeping the current ones");
      }
    });
    return reloading;
  }

  const seeded = await deps.store.seed(deps.seed);
  if (seeded > 0) log.info({ carriers: seeded }, "carriers table seeded from CARRIERS");
  await reload(true);
  const timer = setInterval(() => void reload(), deps.reloadMs);
  timer.unref();
  return {
    /** Applies the table now (after a change through this replica's admin API). */
    reload: () => reload(true),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await reloading;
    },
  };
}
