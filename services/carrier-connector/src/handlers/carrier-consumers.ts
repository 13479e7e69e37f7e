import { type EventOf, MessageRouted, type Subjects } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  errorMessage,
  type Logger,
  type Nats,
  nak,
  type Outcome,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { shouldConsume } from "../domain/lease-plan.ts";
import type { CarrierLink } from "./carrier-link.ts";

type Routed = EventOf<"MessageRouted">;
type Handler = (batch: Delivery<Routed>[]) => Promise<Outcome[]>;

export interface CarrierConsumersDeps {
  nats: Nats;
  subjects: Subjects;
  links: () => ReadonlyMap<string, CarrierLink>;
  boundElsewhere(carrierId: string): boolean;
  handle: Handler;
  log: Logger;
  /** Submits wait for carriers' answers: a batch gets this long before JetStream offers it again. */
  ackWaitMs: number;
  /** How often durables of carriers no longer configured are looked for (their messages). */
  orphanCheckMs: number;
}

const DURABLE_PREFIX = "carrier-connector-";

/** The durable of one carrier's routed messages (`<p>.evt.routed.<carrier>`). */
export const carrierDurable = (carrierId: string) => `${DURABLE_PREFIX}${carrierId}`;

/**
 * One durable pull consumer per carrier, pulled by this replica only while `shouldConsume`
 * says so (its own bind to the carrier is up; or nobody's is and it holds a slot), so a
 * replica without a bind does not take messages it cannot send, and a throttled carrier holds
 * back only its own messages. Stopping a consumer finishes its batches in flight and hands the
 * rest back (another replica pulls them). Re-evaluated on every bind change and lease round.
 *
 * A carrier removed from the table leaves its durable behind, perhaps with messages in it:
 * every `orphanCheckMs` such durables with messages are pulled too (the handler has no link for
 * them: SubmitFailed retryable, "not configured", so routing fails them over) until empty.
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
          log.info({ carrierId }, "pulling the carrier's routed messages");
        } else if (!want && running.has(carrierId)) {
          const consumer = running.get(carrierId);
          running.delete(carrierId);
          await consumer?.stop();
          log.info({ carrierId }, "no longer pulling the carrier's routed messages");
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
      filterSubject: deps.subjects.event("MessageRouted", carrierId),
      schema: MessageRouted,
      log,
      ackWaitMs: deps.ackWaitMs,
      // Two batches at once: one can fill the binds' windows while the other records its ids.
      concurrency: 2,
      handle: deps.handle,
    });
  }

  async function findOrphans(): Promise<void> {
    const links = deps.links();
    const found = new Set<string>();
    for await (const info of deps.nats.jsm.consumers.list(deps.subjects.stream)) {
      if (!info.name.startsWith(DURABLE_PREFIX)) continue;
      const carrierId = info.name.slice(DURABLE_PREFIX.length);
      if (links.has(carrierId)) continue;
      // Pulled until nothing is waiting or unacknowledged in it.
      if (info.num_pending + info.num_ack_pending > 0) found.add(carrierId);
    }
    if ([...found].some((id) => !orphans.has(id))) {
      log.warn({ carriers: [...found] }, "routed messages of removed carriers: failing them over");
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
    /** Carriers whose routed messages this replica pulls now (tests, logs). */
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
 * The safety net on every routed subject: a message to a carrier this replica has configured is
 * its carrier's durable's (acked here, nothing else); one to a carrier it does not know waits
 * one reload period (another replica, or this one, may be adding it), then goes to `handle`,
 * which claims it and says SubmitFailed retryable ("not configured"), so routing fails over.
 */
export function handleUnconfigured(deps: {
  links: ReadonlyMap<string, CarrierLink>;
  handle: Handler;
  graceMs: number;
}): Handler {
  return async (batch) => {
    const outcomes: Outcome[] = batch.map(() => ACK);
    const unknown: number[] = [];
    for (const [index, delivery] of batch.entries()) {
      if (deps.links.has(delivery.value.data.carrierId)) continue;
      if (delivery.deliveryCount === 1) outcomes[index] = nak(deps.graceMs);
      else unknown.push(index);
    }
    if (unknown.length === 0) return outcomes;
    const handled = await deps.handle(unknown.flatMap((i) => batch[i] ?? []));
    for (const [j, index] of unknown.entries()) outcomes[index] = handled[j] ?? ACK;
    return outcomes;
  };
}
