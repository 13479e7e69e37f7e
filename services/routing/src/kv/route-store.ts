import type { KV } from "@nats-io/kv";
import { CarrierHealth, RoutingRules, type SenderRule, type Subjects } from "@smsgw/contracts";
import { type Nats, openBucket } from "@smsgw/service-kit";
import { createRouteTable, Route, type RouteTable } from "../domain/route-table.ts";
import {
  type CarrierConcats,
  routingRulesOf,
  SenderRuleInput,
  sameRules,
} from "../domain/rules.ts";
import { carrierConcats } from "../domain/scores.ts";

/**
 * The operator-managed table in the KV bucket `<prefix>_routes`: one key per route
 * (`route.<digits>`) and per sender rule (`sender.<digits>`), so two operators editing
 * different prefixes never overwrite each other. The admin API, the CLI and the service
 * share this code. After every change the derived `RoutingRules` go to the routing
 * bucket (key "rules") for ingress.
 */
export const routesBucket = (subjects: Subjects) => `${subjects.prefix}_routes`;
export const RULES_KEY = "rules";

const routeKey = (prefix: string) => `route.${prefix.slice(1)}`;
const senderKey = (prefix: string) => `sender.${prefix.slice(1)}`;

export interface TableContents {
  routes: Route[];
  senders: SenderRule[];
}

export interface RouteStore {
  list(): Promise<TableContents>;
  putRoute(route: Route): Promise<void>;
  /** false when there was no such route. */
  deleteRoute(prefix: string): Promise<boolean>;
  putSender(rule: SenderRule): Promise<void>;
  deleteSender(prefix: string): Promise<boolean>;
  /** Writes `table` when the store holds no route at all; true when it did. */
  seedIfEmpty(table: RouteTable): Promise<boolean>;
  /**
   * Writes the rules derived from `contents` and the carriers' concatenation styles unless
   * the bucket already says the same. Without `concats` (the CLI, the admin API) the styles
   * are read from the carrier-health bucket, where the service's own come from too.
   */
  publishRules(contents: TableContents, concats?: CarrierConcats): Promise<RoutingRules>;
  readonly kv: KV;
}

export async function openRouteStore(nc: Nats["nc"], subjects: Subjects): Promise<RouteStore> {
  const kv = await openBucket(nc, routesBucket(subjects), { history: 5 });
  const rulesKv = await openBucket(nc, subjects.routingBucket);

  async function list(): Promise<TableContents> {
    const routes: Route[] = [];
    const senders: SenderRule[] = [];
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    for (const key of keys.sort()) {
      const entry = await kv.get(key);
      if (entry?.operation !== "PUT") continue;
      const decoded = decodeEntry(key, entry.json());
      if (decoded?.kind === "route") routes.push(decoded.route);
      if (decoded?.kind === "sender") senders.push(decoded.rule);
    }
    return { routes: [...createRouteTable(routes).routes], senders };
  }

  async function readConcats(): Promise<CarrierConcats> {
    const healthKv = await openBucket(nc, subjects.carrierHealthBucket);
    const records: CarrierHealth[] = [];
    for await (const key of await healthKv.keys()) {
      const entry = await healthKv.get(key);
      const parsed = entry?.operation === "PUT" ? CarrierHealth.safeParse(entry.json()) : null;
      if (parsed?.success) records.push(parsed.data);
    }
    return carrierConcats(records);
  }

  async function publishRules(contents: TableContents, concats?: CarrierConcats) {
    const rules = routingRulesOf(
      createRouteTable(contents.routes),
      contents.senders,
      new Date(),
      concats ?? (await readConcats()),
    );
    const current = await rulesKv.get(RULES_KEY);
    const parsed =
      current?.operation === "PUT" ? RoutingRules.safeParse(current.json()) : undefined;
    if (parsed?.success && sameRules(parsed.data, rules)) return parsed.data;
    await rulesKv.put(RULES_KEY, JSON.stringify(rules));
    return rules;
  }

  const changed = async <T>(result: T): Promise<T> => {
    await publishRules(await list());
    return result;
  };

  const remove = async (key: string) => {
    const entry = await kv.get(key);
    if (entry?.operation !== "PUT") return false;
    await kv.delete(key);
    return true;
  };

  return {
    kv,
    list,
    publishRules,
    putRoute: async (route) =>
      changed(await kv.put(routeKey(route.prefix), JSON.stringify(route)).then(() => undefined)),
    deleteRoute: async (prefix) => changed(await remove(routeKey(prefix))),
    putSender: async (rule) =>
      changed(await kv.put(senderKey(rule.prefix), JSON.stringify(rule)).then(() => undefined)),
    deleteSender: async (prefix) => changed(await remove(senderKey(prefix))),
    async seedIfEmpty(table) {
      const { routes } = await list();
      if (routes.length > 0) return false;
      // create() refuses an existing key: replicas seeding together write each route once.
      for (const route of table.routes) {
        await kv.create(routeKey(route.prefix), JSON.stringify(route)).catch(() => undefined);
      }
      return true;
    },
  };
}

export type DecodedEntry =
  | { kind: "route"; route: Route }
  | { kind: "sender"; rule: SenderRule }
  | undefined;

/** A bucket entry by its key; undefined when it is neither or does not parse. */
export function decodeEntry(key: string, value: unknown): DecodedEntry {
  if (key.startsWith("route.")) {
    const parsed = Route.safeParse(value);
    return parsed.success ? { kind: "route", route: parsed.data } : undefined;
  }
  if (key.startsWith("sender.")) {
    const parsed = SenderRuleInput.safeParse(value);
    return parsed.success ? { kind: "sender", rule: parsed.data } : undefined;
  }
  return undefined;
}
