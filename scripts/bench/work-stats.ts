import type { JetStreamManager } from "@nats-io/jetstream";
import postgres from "postgres";

/**
 * Where the work per message goes, read before and after a step: each consumer's batches
 * (from the services' /metrics) and the bench database's transactions and row operations
 * (pg_stat_database). Batch size and round trips per message are what the CPU per message
 * follows: every statement, publish and ack is a socket write on both ends.
 */
export interface WorkSnapshot {
  batches: Map<string, { sum: number; count: number }>;
  postgres: { commits: number; inserted: number; updated: number; deleted: number };
  /**
   * JetStream, over the stack's streams (its event stream and KV buckets): stored publishes
   * (sum of last sequences) and deliveries by consumer kind (acked ones answer each with an
   * ack; ordered ones, like an observer, do not). Consumers are keyed by stream/name.
   */
  jetstream: { stored: number; deliveries: Map<string, { delivered: number; acked: boolean }> };
  /** Authorize NATS requests pricing received (null when its metrics do not say). */
  authorizeRequests: number | null;
  /** What the doors' metrics say: refusals by signal, accepting answers by time. */
  door: DoorSnapshot;
}

export interface WorkPerMessage {
  /** Mean messages per handler batch, per durable consumer. */
  meanBatch: Record<string, number>;
  postgresCommits: number;
  postgresRowOps: number;
  /** Stored JetStream publishes per message (each is a publish and its PubAck on the wire). */
  natsStored?: number;
  /** Consumer deliveries per message, and how many of them are acked. */
  natsDeliveries?: number;
  natsAcks?: number;
  /**
   * NATS protocol messages per message: 2 per stored publish (publish, PubAck), 1 per
   * delivery, 1 per ack, and 2 per authorize request/reply (from pricing's metrics; 2 per
   * message where they do not say).
   */
  natsMessages?: number;
  /** Sends refused at capacity during the step, by the admission signal that refused them. */
  shedByReason?: Record<string, number>;
}

const BATCH_LINE = /^smsgw_consumer_batch_size_messages_(sum|count)\{consumer="([^"]+)"\} (\S+)$/;
const AUTHORIZE_LINE = /^smsgw_pricing_authorize_requests_total\{kind="[^"]+"\} (\S+)$/;
const SHED_LINE = /^smsgw_(?:ingress|smpp)_shed_total\{reason="([^"]+)"\} (\S+)$/;

export async function takeWorkSnapshot(
  healthPorts: readonly number[],
  databaseUrl: string,
  database: string,
  nats?: { jsm: JetStreamManager; prefix: string },
): Promise<WorkSnapshot> {
  const batches = new Map<string, { sum: number; count: number }>();
  let authorizeRequests: number | null = null;
  const door = emptyDoor();
  for (const port of healthPorts) {
    const text = await metricsOf(port);
    addDoorMetrics(text, door);
    for (const line of text.split("\n")) {
      const requests = AUTHORIZE_LINE.exec(line);
      if (requests) authorizeRequests = (authorizeRequests ?? 0) + Number(requests[1]);
      const m = BATCH_LINE.exec(line);
      if (!m) continue;
      const [, kind, consumer = "", value] = m;
      const entry = batches.get(consumer) ?? { sum: 0, count: 0 };
      entry[kind as "sum" | "count"] += Number(value);
      batches.set(consumer, entry);
    }
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<
      Array<{ commits: string; inserted: string; updated: string; deleted: string }>
    >`select xact_commit as commits, tup_inserted as inserted, tup_updated as updated,
        tup_deleted as deleted
      from pg_stat_database where datname = ${database}`;
    return {
      batches,
      authorizeRequests,
      door,
      jetstream: nats ? await jetstreamCounts(nats.jsm, nats.prefix) : emptyJetstream(),
      postgres: {
        commits: Number(row?.commits ?? 0),
        inserted: Number(row?.inserted ?? 0),
        updated: Number(row?.updated ?? 0),
        deleted: Number(row?.deleted ?? 0),
      },
    };
  } finally {
    await sql.end();
  }
}

export function workPerMessage(
  before: WorkSnapshot,
  after: WorkSnapshot,
  messages: number,
): WorkPerMessage {
  const meanBatch: Record<string, number> = {};
  for (const [consumer, end] of after.batches) {
    const start = before.batches.get(consumer) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) meanBatch[consumer] = (end.sum - start.sum) / count;
  }
  const per = (value: number) => (messages > 0 ? value / messages : Number.NaN);
  const pg = (k: keyof WorkSnapshot["postgres"]) => after.postgres[k] - before.postgres[k];
  const stored = after.jetstream.stored - before.jetstream.stored;
  let deliveries = 0;
  let acks = 0;
  for (const [key, end] of after.jetstream.deliveries) {
    const start = before.jetstream.deliveries.get(key)?.delivered ?? 0;
    const delivered = Math.max(0, end.delivered - start);
    deliveries += delivered;
    if (end.acked) acks += delivered;
  }
  return {
    meanBatch,
    shedByReason: shedBetween(before.door.shed, after.door.shed),
    postgresCommits: per(pg("commits")),
    postgresRowOps: per(pg("inserted") + pg("updated") + pg("deleted")),
    natsStored: per(stored),
    natsDeliveries: per(deliveries),
    natsAcks: per(acks),
    natsMessages: per(2 * stored + deliveries + acks) + authorizePerMessage(before, after, per),
  };
}

function addShed(line: string, into: Map<string, number>): void {
  const refused = SHED_LINE.exec(line);
  if (!refused) return;
  const [, reason = "", value] = refused;
  into.set(reason, (into.get(reason) ?? 0) + Number(value));
}

/** What ingress's own metrics say of the sends so far: refusals by signal, accepting answers by time. */
export interface DoorSnapshot {
  shed: Map<string, number>;
  /** Accepting answers, from receiving the request to answering it (server side). */
  accepted: { within100ms: number; within250ms: number; count: number };
}

const ACCEPTED_BUCKET =
  /^smsgw_ingress_accept_duration_seconds_bucket\{(?=[^}]*outcome="accepted")(?=[^}]*le="([^"]+)")[^}]*\} (\S+)$/;
const ACCEPTED_COUNT = /^smsgw_ingress_accept_duration_seconds_count\{outcome="accepted"\} (\S+)$/;

export async function takeDoorSnapshot(healthPorts: readonly number[]): Promise<DoorSnapshot> {
  const door = emptyDoor();
  for (const port of healthPorts) addDoorMetrics(await metricsOf(port), door);
  return door;
}

function emptyDoor(): DoorSnapshot {
  return { shed: new Map(), accepted: { within100ms: 0, within250ms: 0, count: 0 } };
}

/** A service's /metrics text; empty when it does not answer. */
async function metricsOf(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => "");
}

/** Adds one service's /metrics text to the snapshot (services without the series add nothing). */
export function addDoorMetrics(text: string, door: DoorSnapshot): void {
  for (const line of text.split("\n")) {
    addShed(line, door.shed);
    const bucket = ACCEPTED_BUCKET.exec(line);
    if (bucket?.[1] === "0.1") door.accepted.within100ms += Number(bucket[2]);
    if (bucket?.[1] === "0.25") door.accepted.within250ms += Number(bucket[2]);
    const count = ACCEPTED_COUNT.exec(line);
    if (count) door.accepted.count += Number(count[1]);
  }
}

/** Between two door snapshots: refusals by signal; the share of accepting answers in time. */
export function doorBetween(
  before: DoorSnapshot,
  after: DoorSnapshot,
): {
  shedByReason: Record<string, number>;
  serverAccepted: { within100ms: number; within250ms: number };
} {
  const count = after.accepted.count - before.accepted.count;
  const share = (k: "within100ms" | "within250ms") =>
    count > 0 ? (after.accepted[k] - before.accepted[k]) / count : Number.NaN;
  return {
    shedByReason: shedBetween(before.shed, after.shed),
    serverAccepted: { within100ms: share("within100ms"), within250ms: share("within250ms") },
  };
}

export function shedBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Record<string, number> {
  const refused: Record<string, number> = {};
  for (const [reason, end] of after) {
    const count = end - (before.get(reason) ?? 0);
    if (count > 0) refused[reason] = count;
  }
  return refused;
}

/** 2 per authorize request/reply per message; 2 when pricing's metrics do not count them. */
function authorizePerMessage(
  before: WorkSnapshot,
  after: WorkSnapshot,
  per: (value: number) => number,
): number {
  if (before.authorizeRequests === null || after.authorizeRequests === null) return 2;
  return per(2 * (after.authorizeRequests - before.authorizeRequests));
}

function emptyJetstream(): WorkSnapshot["jetstream"] {
  return { stored: 0, deliveries: new Map() };
}

/** The stack's streams are named after its prefix: `<PREFIX>_EVENTS` and `KV_<prefix>_…`. */
async function jetstreamCounts(
  jsm: JetStreamManager,
  prefix: string,
): Promise<WorkSnapshot["jetstream"]> {
  const counts = emptyJetstream();
  const ours = (name: string) =>
    name === `${prefix.toUpperCase()}_EVENTS` || name.startsWith(`KV_${prefix}_`);
  for await (const stream of jsm.streams.list()) {
    if (!ours(stream.config.name)) continue;
    counts.stored += stream.state.last_seq;
    for await (const consumer of jsm.consumers.list(stream.config.name)) {
      counts.deliveries.set(`${stream.config.name}/${consumer.name}`, {
        delivered: consumer.delivered.consumer_seq,
        acked: consumer.config.ack_policy !== "none",
      });
    }
  }
  return counts;
}
