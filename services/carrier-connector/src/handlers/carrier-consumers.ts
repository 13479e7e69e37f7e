import { type EventBatch, type Subjects, SubmitOrder } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  errorMessage,
  type Logger,
  type Nats,
  nak,
  type Outcome,
  outcomesOfDeliveries,
  type RunningConsumer,
  singleOrBatch,
  startConsumer,
  unbatch,
} from "@smsgw/service-kit";
import { shouldConsume } from "../domain/lease-plan.ts";
import type { CarrierLink } from "./carrier-link.ts";

export type Handler = (batch: Delivery<SubmitOrder>[]) => Promise<Outcome[]>;

export interface CarrierConsumersDeps {
  nats: Nats;
  subjects: Subjects;
  links: () => ReadonlyMap<string, CarrierLink>;
  boundElsewhere(carrierId: string): boolean;
  handle: Handler;
  log: Logger;
  /** Submits wait for carriers' answers: a batch gets this long before JetStream offers it again. */
  ackWaitMs: number;
  /**
   * How often carriers not configured here are looked for (durables or subjects with
   * messages); also how long such a carrier's order waits before it is failed over.
   */
  orphanCheckMs: number;
}

/**
 * Not `carrier-connector-`, the routed durables' prefix before ADR 0009: a durable keeps its
 * filter subject, so the submit subjects get durables of their own.
 */
const DURABLE_PREFIX = "connector-submit-";

/** The durable of one carrier's submit orders (`<p>.submit.<carrier>`). */
export const carrierDurable = (carrierId: string) => `${DURABLE_PREFIX}${carrierId}`;

/**
 * Deliveries a submit batch takes at most. Routing sends a carrier's orders in envelopes of
 * up to 200, so this bounds a batch to some thousands of orders, sent well inside the ack wait.
 */
const MAX_DELIVERIES = 32;

/**
 * One durable pull consumer per carrier's submit orders, pulled by this replica only while `shouldConsume`
 * says so (its own bind to the carrier is up; or nobody's is and it holds a slot), so a
 * replica without a bind does not take messages it cannot send, and a throttled carrier holds
 * back only its own messages. Stopping a consumer finishes its batches in flight and hands the
 * rest back (another replica pulls them). Re-evaluated on every bind change and lease round.
 *
 * A carrier removed from the table leaves its durable behind, perhaps with orders in it, and
 * a carrier routing knows but no connector was ever given has orders and no durable at all:
 * every `orphanCheckMs` both are looked for (durables with messages; submit subjects of the
 * stream with no durable) and pulled until empty. An order to a carrier not configured here
 * waits one check period first (it may be being added), then the handler, which has no link
 * for it, says SubmitFailed retryable ("not configured") and routing fails it over. There is
 * no catch-all consumer on every submit subject (ADR 0009).
 */
export function startCarrierConsumers(deps: CarrierConsumersDeps) {
  const { log } = deps;
  const running = new Map<string, RunningConsumer>();
  /** The state each carrier is heading to, and the chain of starts and stops that gets it there. */
  const wanted = new Map<string, boolean>();
  const chains = new Map<string, Promise<void>>();
  /** Durables of carriers not configured here that still hold messages. */
  let orphans = new Set<string>();
  let stopped = false;

  function steer(carrierId: string, want: boolean): void {
    if ((wanted.get(carrierId) ?? false) === want) return;
    wanted.set(carrierId, want);
    const chain = (chains.get(carrierId) ?? Promise.resolve()).then(async () => {
      try {
        if (want && !stopped && !running.has(carrierId)) {
          running.set(carrierId, await start(carrierId));
          log.info({ carrierId }, "pulling the carrier's submit orders");
        } else if (!want && running.has(carrierId)) {
          const consumer = running.get(carrierId);
          running.delete(carrierId);
          await consumer?.stop();
          log.info({ carrierId }, "no longer pulling the carrier's submit orders");
        }
      } catch (error) {
        // Not started: forget the wish, the next evaluation tries again.
        wanted.delete(carrierId);
        log.warn({ carrierId, err: errorMessage(error) }, "carrier consumer not changed");
      }
    });
    chains.set(carrierId, chain);
  }

  function start(carrierId: string): Promise<RunningConsumer> {
    return startConsumer(deps.nats, {
      stream: deps.subjects.stream,
      durable: carrierDurable(carrierId),
      filterSubject: deps.subjects.submit(carrierId),
      schema: singleOrBatch(SubmitOrder),
      log,
      ackWaitMs: deps.ackWaitMs,
      maxBatch: MAX_DELIVERIES,
      // Two batches at once: one can fill the binds' windows while the other records its ids.
      concurrency: 2,
      handle: handleOrderEnvelopes(
        handleUnconfigured({
          links: deps.links,
          handle: deps.handle,
          graceMs: deps.orphanCheckMs,
        }),
        log,
      ),
    });
  }

  async function findOrphans(): Promise<void> {
    const links = deps.links();
    const found = new Set<string>();
    const durables = new Set<string>();
    for await (const info of deps.nats.jsm.consumers.list(deps.subjects.stream)) {
      if (!info.name.startsWith(DURABLE_PREFIX)) continue;
      const carrierId = info.name.slice(DURABLE_PREFIX.length);
      durables.add(carrierId);
      if (links.has(carrierId)) continue;
      // Pulled until nothing is waiting or unacknowledged in it.
      if (info.num_pending + info.num_ack_pending > 0) found.add(carrierId);
    }
    // A submit subject with messages and no durable: a carrier no connector has configured
    // since these orders were handed over. Its durable is created (from the first message
    // still in the stream) and drained like any orphan's.
    const stream = await deps.nats.jsm.streams.info(deps.subjects.stream, {
      subjects_filter: deps.subjects.submitAll,
    });
    const submitPrefix = `${deps.subjects.prefix}.submit.`;
    for (const subject of Object.keys(stream.state.subjects ?? {})) {
      const carrierId = subject.slice(submitPrefix.length);
      if (!durables.has(carrierId) && !links.has(carrierId)) found.add(carrierId);
    }
    if ([...found].some((id) => !orphans.has(id))) {
      log.warn({ carriers: [...found] }, "orders for carriers not configured: failing them over");
    }
    orphans = found;
    evaluate();
  }

  const orphanTimer = setInterval(() => {
    findOrphans().catch((error: unknown) =>
      log.warn({ err: errorMessage(error) }, "durables of removed carriers not checked"),
    );
  }, deps.orphanCheckMs);
  orphanTimer.unref();

  /** Starts or stops each carrier's consumer as the binds and leases say now. */
  function evaluate(): void {
    if (stopped) return;
    const links = deps.links();
    for (const [carrierId, link] of links) {
      steer(
        carrierId,
        shouldConsume({
          boundHere: link.session() !== undefined,
          holdsSlot: link.slots().length > 0,
          boundElsewhere: deps.boundElsewhere(carrierId),
        }),
      );
    }
    for (const carrierId of orphans) if (!links.has(carrierId)) steer(carrierId, true);
    for (const carrierId of wanted.keys()) {
      if (!links.has(carrierId) && !orphans.has(carrierId)) steer(carrierId, false);
    }
  }

  return {
    evaluate,
    /** Looks for removed carriers' durables with messages now (tests). */
    findOrphans,
    /** Carriers whose submit orders this replica pulls now (tests, logs). */
    pulling: () => [...running.keys()].sort(),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(orphanTimer);
      for (const carrierId of [...wanted.keys()]) steer(carrierId, false);
      await Promise.all([...chains.values()]);
    },
  };
}

/**
 * Orders come alone or several in an `EventBatch` (routing groups a carrier's orders): the
 * handler sees each order as a delivery of its own, with its envelope's delivery count (a
 * redelivered envelope's orders are all looked up in the claims, none submitted twice), and
 * an envelope is acked unless one of its orders is to be retried (`outcomesOfDeliveries`).
 */
export function handleOrderEnvelopes(handle: Handler, log: Logger) {
  return async (batch: Delivery<SubmitOrder | EventBatch>[]): Promise<Outcome[]> => {
    const { events, invalid } = unbatch(batch, SubmitOrder);
    if (invalid > 0) log.error({ invalid }, "submit orders in an envelope dropped: invalid");
    const orders = events.flatMap(({ value, delivery }) => {
      const carrier = batch[delivery];
      return carrier ? [{ ...carrier, value }] : [];
    });
    return outcomesOfDeliveries(batch.length, events, await handle(orders));
  };
}

/**
 * An order to a carrier this replica does not know waits one reload period on its first
 * delivery (another replica, or this one, may be adding the carrier); after that it goes to
 * `handle` like any other, which claims it and says SubmitFailed retryable ("not configured"),
 * so routing fails it over.
 */
export function handleUnconfigured(deps: {
  links: () => ReadonlyMap<string, CarrierLink>;
  handle: Handler;
  graceMs: number;
}): Handler {
  return async (batch) => {
    const outcomes: Outcome[] = batch.map(() => ACK);
    const links = deps.links();
    const now: number[] = [];
    for (const [index, delivery] of batch.entries()) {
      const known = links.has(delivery.value.data.carrierId);
      if (!known && delivery.deliveryCount === 1) outcomes[index] = nak(deps.graceMs);
      else now.push(index);
    }
    if (now.length === 0) return outcomes;
    const handled = await deps.handle(now.flatMap((i) => batch[i] ?? []));
    for (const [j, index] of now.entries()) outcomes[index] = handled[j] ?? ACK;
    return outcomes;
  };
}
