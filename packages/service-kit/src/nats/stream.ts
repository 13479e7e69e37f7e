import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { Subjects } from "@smsgw/contracts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The one event stream. Limits retention (many consumers read every event), file
 * storage, and a de-duplication window long enough to cover a publisher's retries.
 * Every service calls this at start: it creates the stream when missing, so start-up order
 * does not matter. A configuration that differs from the wanted one (STREAM_REPLICAS,
 * STREAM_MAX_BYTES changed) is applied only when `update` is set: the event store's NATS user
 * alone may update the stream (ADR 0015, amended 2026-12-06), so the others leave it to it
 * and say so; a JetStream cluster applies a changed replica count live.
 *
 * Bounded in bytes as well as in age (STREAM_MAX_BYTES, ADR 0013): past the bound the oldest
 * events are dropped (discard old), never the new publishes refused; an alert fires well
 * before (docs/runbook.md, "Capacity").
 *
 * Returns what it did: `differs` means the stream's configuration is not the wanted one and
 * this caller may not change it.
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  subjects: Subjects,
  options: { replicas?: number; maxBytes?: number; update?: boolean } = {},
): Promise<"created" | "same" | "updated" | "differs"> {
  const config = {
    name: subjects.stream,
    subjects: subjects.streamSubjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(7 * DAY_MS),
    max_bytes: options.maxBytes ?? -1,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(5 * 60 * 1000),
    // Consumers created on the stream inherit its replica count.
    num_replicas: options.replicas ?? 1,
  };
  let current: Record<string, unknown>;
  try {
    current = (await jsm.streams.info(subjects.stream)).config as unknown as Record<
      string,
      unknown
    >;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
    return "created";
  }
  if (!streamConfigDiffers(config, current)) return "same";
  if (options.update === false) return "differs";
  await jsm.streams.update(subjects.stream, config);
  return "updated";
}

/** Whether the stream's configuration lacks one of the wanted settings (the others are the server's). */
export function streamConfigDiffers(
  wanted: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(wanted).some(
    ([key, value]) => JSON.stringify(current[key]) !== JSON.stringify(value),
  );
}

export interface DurableConsumerSpec {
  durable: string;
  filterSubject: string;
  ackWaitMs?: number;
  maxAckPending?: number;
  /**
   * When the durable is created (not when it exists), it starts with the messages stored
   * from this time instead of the stream's first: a new reader of a subject whose history
   * it does not need (it would replay days of it).
   */
  startAt?: Date;
  /**
   * When the durable is created, it starts after this stream sequence (wins over startAt):
   * a durable that was deleted under a running consumer is created again where its ack floor
   * was, so nothing after it is skipped and little before it is delivered again.
   */
  startAfterSeq?: number;
}

/** A durable pull consumer: its position survives restarts, replicas share its work. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableConsumerSpec,
): Promise<void> {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    ...startOf(spec),
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_ack_pending: spec.maxAckPending ?? 10_000,
    // Nothing accepted is lost: a message is redelivered until a handler acks or
    // terminates it; handlers back off with nak(delay).
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(stream, spec.durable);
    await jsm.consumers.update(stream, spec.durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, config);
  }
}

function startOf(spec: DurableConsumerSpec): {
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
} {
  if (spec.startAfterSeq !== undefined && spec.startAfterSeq > 0) {
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: spec.startAfterSeq + 1 };
  }
  if (spec.startAt) {
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: spec.startAt.toISOString() };
  }
  return { deliver_policy: DeliverPolicy.All };
}

function isNotFound(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /not ?found/i.test(text);
}
