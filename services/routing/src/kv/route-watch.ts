import type { KV } from "@nats-io/kv";
import type { SenderRule } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import { createRouteTable, type Route, type RouteTable } from "../domain/route-table.ts";
import { decodeEntry, type TableContents } from "./route-store.ts";

export interface RouteWatch {
  /** The table as of the last change (longest prefix first). */
  table(): RouteTable;
  contents(): TableContents;
  stop(): Promise<void>;
}

/**
 * Keeps the route table in memory from the routes bucket's watch: every replica sees an
 * operator's change within milliseconds, without restart. `onChange` runs after the
 * initial load and after each later change (to republish the rules).
 */
export async function watchRoutes(kv: KV, log: Logger, onChange: () => void): Promise<RouteWatch> {
  const routes = new Map<string, Route>();
  const senders = new Map<string, SenderRule>();
  let table = createRouteTable([]);
  let loaded = false;
  let markLoaded: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markLoaded = resolve;
  });
  if ((await kv.status()).values === 0) {
    loaded = true;
    markLoaded();
  }
  const watch = await kv.watch();
  const pump = (async () => {
    for await (const entry of watch) {
      routes.delete(entry.key);
      senders.delete(entry.key);
      if (entry.operation === "PUT") {
        const decoded = decodeEntry(entry.key, entry.json());
        if (decoded?.kind === "route") routes.set(entry.key, decoded.route);
        else if (decoded?.kind === "sender") senders.set(entry.key, decoded.rule);
        else log.error({ key: entry.key }, "route bucket entry does not parse; ignored");
      }
      table = createRouteTable([...routes.values()]);
      if (entry.isUpdate || entry.delta === 0) {
        if (!loaded) {
          loaded = true;
          markLoaded();
        }
        onChange();
      }
    }
  })();
  await ready;
  return {
    table: () => table,
    contents: () => ({ routes: [...table.routes], senders: [...senders.values()] }),
    async stop() {
      watch.stop();
      await pump.catch(() => undefined);
    },
  };
}
