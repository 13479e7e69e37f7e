import { type EventOf, MessageRouted, type Subjects } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  errorMessage,
  type Logger,
  type Nats,
  type Outcome,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { orderFromRouted } from "../domain/legacy-routed.ts";
import { type Handler, handleUnconfigured } from "./carrier-consumers.ts";
import type { CarrierLink } from "./carrier-link.ts";

/** The routed durables before ADR 0009: one per carrier, and the catch-all on every carrier. */
const LEGACY_PREFIX = "carrier-connector-";
const LEGACY_CATCH_ALL = "carrier-connector";

type Routed = EventOf<"MessageRouted">;

export interface LegacyDrainDeps {
  nats: Nats;
  subjects: Subjects;
  links: () => ReadonlyMap<string, CarrierLink>;
  handle: Handler;
  log: Logger;
  ackWaitMs: number;
  /** How often the old durables are looked at; also the grace of an unknown carrier's order. */
  checkMs: number;
}

/**
 * Routed events published before the upgrade (ADR 0009) may still wait in the old routed
 * durables. Every `checkMs` those with messages are pulled (and let go once empty), each
 * event handled as the submit order it stands for: claimed by (message, attempt) like any
 * order, so one that was also in another durable is never submitted twice. The catch-all
 * leaves a configured carrier's events to that carrier's own routed durable, as it did.
 * The durables stay (an old routing replica may still publish during a rolling upgrade);
 * delete them once every replica runs this version.
 */
export function startLegacyDrain(deps: LegacyDrainDeps) {
  const running = new Map<string, RunningConsumer>();
  let stopped = false;
  let checking: Promise<void> = Promise.resolve();

  const asOrders = (batch: Delivery<Routed>[]) =>
    batch.map((delivery) => ({ ...delivery, value: orderFromRouted(delivery.value) }));
  const handleOrders = handleUnconfigured({
    links: deps.links,
    handle: deps.handle,
    graceMs: deps.checkMs,
  });

  function handlerOf(name: string) {
    if (name !== LEGACY_CATCH_ALL)
      return (batch: Delivery<Routed>[]) => handleOrders(asOrders(batch));
    return async (batch: Delivery<Routed>[]): Promise<Outcome[]> => {
      const links = deps.links();
      const outcomes: Outcome[] = batch.map(() => ACK);
      const unknown = [...batch.keys()].filter(
        (i) => !links.has(batch[i]?.value.data.carrierId ?? ""),
      );
      if (unknown.length === 0) return outcomes;
      const handled = await handleOrders(asOrders(unknown.flatMap((i) => batch[i] ?? [])));
      for (const [j, index] of unknown.entries()) outcomes[index] = handled[j] ?? ACK;
      return outcomes;
    };
  }

  async function check(): Promise<void> {
    for await (const info of deps.nats.jsm.consumers.list(deps.subjects.stream)) {
      const name = info.name;
      if (name !== LEGACY_CATCH_ALL && !name.startsWith(LEGACY_PREFIX)) continue;
      const busy = info.num_pending + info.num_ack_pending > 0;
      if (busy && !running.has(name) && !stopped) {
        deps.log.warn(
          { durable: name, pending: info.num_pending },
          "draining routed events from before the upgrade",
        );
        running.set(
          name,
          await startConsumer(deps.nats, {
            stream: deps.subjects.stream,
            durable: name,
            filterSubject: info.config.filter_subject ?? deps.subjects.routedAll,
            schema: MessageRouted,
            log: deps.log,
            ackWaitMs: deps.ackWaitMs,
            handle: handlerOf(name),
          }),
        );
      } else if (!busy && running.has(name)) {
        const consumer = running.get(name);
        running.delete(name);
        await consumer?.stop();
      }
    }
  }

  const timer = setInterval(() => {
    checking = checking
      .then(check)
      .catch((error: unknown) =>
        deps.log.warn({ err: errorMessage(error) }, "old routed durables not checked"),
      );
  }, deps.checkMs);
  timer.unref();

  return {
    /** Looks at the old durables now (tests). */
    check: () => {
      checking = checking.then(check);
      return checking;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await checking.catch(() => undefined);
      await Promise.all([...running.values()].map((consumer) => consumer.stop()));
      running.clear();
    },
  };
}
