import {
  MessageRouted,
  MessageSubmitted,
  ReceiptReceived,
  type Subjects,
  SubmitFailed,
} from "@smsgw/contracts";
import type { Logger, Nats } from "@smsgw/service-kit";
import { ScoreBook } from "../domain/scores.ts";

interface Tracked {
  carrierId: string;
  scoreKey: string;
  routedAtMs: number;
  submittedAtMs?: number;
}

export interface Observer {
  book: ScoreBook;
  /** Resolves once the events of the window that existed at start are read. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every replica reads every routed, submitted, receipt and submit-failed event of the
 * last window with its own ordered (ephemeral, unacknowledged) consumer, so all replicas
 * keep the same scores. A receipt names only the carrier, so the routed event tells
 * which destination key it counts for. One consumer on `<p>.evt.>` keeps the stream's
 * order (several filters on one consumer need nats-server 2.10); other events are
 * skipped by subject before any parsing.
 */
export async function startObserver(
  nats: Nats,
  subjects: Subjects,
  windowMs: number,
  log: Logger,
): Promise<Observer> {
  const book = new ScoreBook(windowMs);
  const tracked = new Map<string, Tracked>();
  const token = (kind: string) => `${subjects.prefix}.evt.${kind}`;
  const routedPrefix = `${token("routed")}.`;
  const consumer = await nats.js.consumers.get(subjects.stream, {
    filter_subjects: subjects.allEvents,
    // DeliverPolicy.StartTime (@nats-io/jetstream is not a direct dependency here).
    deliver_policy: "by_start_time" as never,
    opt_start_time: new Date(Date.now() - windowMs).toISOString(),
  });
  const pendingAtStart = (await consumer.info(true)).num_pending;
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  if (pendingAtStart === 0) markCaughtUp();
  let lastPrune = Date.now();

  const apply = (msg: { subject: string; json(): unknown }) => {
    if (msg.subject.startsWith(routedPrefix)) {
      const event = MessageRouted.safeParse(msg.json());
      if (!event.success) return;
      const key = event.data.data.reason.scoreKey;
      tracked.set(event.data.messageId, {
        carrierId: event.data.data.carrierId,
        scoreKey: typeof key === "string" ? key : event.data.data.reason.matchedPrefix,
        routedAtMs: Date.parse(event.data.occurredAt),
      });
    } else if (msg.subject === token("submitted")) {
      const event = MessageSubmitted.safeParse(msg.json());
      const known = event.success ? tracked.get(event.data.messageId) : undefined;
      if (event.success && known?.carrierId === event.data.data.carrierId) {
        known.submittedAtMs = Date.parse(event.data.occurredAt);
      }
    } else if (msg.subject === token("receipt")) {
      const event = ReceiptReceived.safeParse(msg.json());
      if (!event.success) return;
      const { data, messageId, occurredAt } = event.data;
      const known = tracked.get(messageId);
      if (!known || known.carrierId !== data.carrierId || data.partStatus === "pending") return;
      const at = Date.parse(occurredAt);
      const latency =
        data.part === 1 && known.submittedAtMs !== undefined ? at - known.submittedAtMs : undefined;
      book.record(
        known.scoreKey,
        data.carrierId,
        data.partStatus === "delivered" ? "delivered" : "failed",
        at,
        latency,
      );
    } else if (msg.subject === token("submit_failed")) {
      const event = SubmitFailed.safeParse(msg.json());
      if (!event.success || !event.data.data.retryable) return;
      // A retryable refusal (throttled, bind down, carrier error) is the carrier's failure
      // to take the message; a permanent one is usually about the message itself.
      const known = tracked.get(event.data.messageId);
      if (known?.carrierId !== event.data.data.carrierId) return;
      book.record(known.scoreKey, known.carrierId, "failed", Date.parse(event.data.occurredAt));
    }
  };

  const messages = await consumer.consume();
  const pump = (async () => {
    for await (const msg of messages) {
      try {
        apply(msg);
      } catch (error) {
        log.warn(
          { subject: msg.subject, err: String(error) },
          "event skipped by the score observer",
        );
      }
      if (msg.info.pending === 0) markCaughtUp();
      const now = Date.now();
      if (now - lastPrune > 1_000) {
        lastPrune = now;
        // Insertion order is routing order: drop messages routed before the window.
        for (const [id, entry] of tracked) {
          if (entry.routedAtMs >= now - windowMs) break;
          tracked.delete(id);
        }
      }
    }
  })();
  return {
    book,
    caughtUp,
    async stop() {
      await messages.close();
      await pump.catch(() => undefined);
    },
  };
}
