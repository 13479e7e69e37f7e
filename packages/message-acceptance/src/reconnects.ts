import type { NatsConnection } from "@nats-io/transport-node";

export interface Reconnects {
  /** Calls `listener` once, at the connection's next reconnect; the returned function cancels. */
  once(listener: () => void): () => void;
}

/**
 * The connection's reconnects. A request sent before one went out on a connection that is gone
 * (its NATS node died or dropped it), and its answer, if one was ever sent, went there too:
 * whoever waits on such an answer asks again instead of waiting out its timeout.
 */
export function watchReconnects(nc: NatsConnection): Reconnects {
  const listeners = new Set<() => void>();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== "reconnect") continue;
      const called = [...listeners];
      listeners.clear();
      for (const listener of called) listener();
    }
  })();
  return {
    once(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
