import type { KV } from "@nats-io/kv";
import { createWindow, type Logger, type Nats, openBucket } from "@smsgw/service-kit";
import { RoutingState } from "../domain/decide.ts";

/**
 * Per-message routing state (content, score key, carriers tried) in the KV bucket
 * `<prefix>_routing_state`, key = message id, kept for a TTL. A SubmitFailed carries no
 * content, so failover reads it back from here. Written for a whole batch with many
 * puts in flight, before the batch's routed events are published.
 */
export interface StateStore {
  putAll(entries: ReadonlyArray<{ messageId: string; state: RoutingState }>): Promise<void>;
  getAll(messageIds: readonly string[]): Promise<Map<string, RoutingState>>;
}

export const stateBucket = (prefix: string) => `${prefix}_routing_state`;

export async function openStateStore(
  nc: Nats["nc"],
  prefix: string,
  ttlMs: number,
  log: Logger,
): Promise<StateStore> {
  const kv: KV = await openBucket(nc, stateBucket(prefix), { ttl: ttlMs });
  const window = createWindow(256);
  return {
    async putAll(entries) {
      await Promise.all(
        entries.map(({ messageId, state }) =>
          window.run(() => kv.put(messageId, JSON.stringify(state))),
        ),
      );
    },
    async getAll(messageIds) {
      const found = new Map<string, RoutingState>();
      await Promise.all(
        [...new Set(messageIds)].map((id) =>
          window.run(async () => {
            const entry = await kv.get(id);
            if (entry?.operation !== "PUT") return;
            const parsed = RoutingState.safeParse(entry.json());
            if (parsed.success) found.set(id, parsed.data);
            else log.error({ messageId: id }, "routing state does not parse; ignored");
          }),
        ),
      );
      return found;
    },
  };
}
