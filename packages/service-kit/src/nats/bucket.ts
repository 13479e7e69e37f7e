import { jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm, type KvOptions } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { errorMessage } from "../errors.ts";

/**
 * Copies of every KV bucket, like the event stream's (STREAM_REPLICAS): set once by
 * openMessaging from the service's config, so that on a 3-node cluster the buckets
 * (accounts, routes, health, leases, routing state) survive a node as the stream does.
 */
let bucketReplicas = 1;

export function setBucketReplicas(replicas: number): void {
  bucketReplicas = replicas;
}

/**
 * Opens a KV bucket, creating it with the configured replicas when it is missing; an
 * existing bucket with fewer copies is grown to the configured count (a cluster does that
 * live). Never shrunk: a process started without STREAM_REPLICAS (a CLI, an old pod) must
 * not take copies away from the others.
 */
export async function openBucket(
  nc: NatsConnection,
  bucket: string,
  options: Partial<KvOptions> = {},
): Promise<KV> {
  const kv = await new Kvm(nc).create(bucket, { history: 1, ...options, replicas: bucketReplicas });
  const status = await kv.status();
  if (status.replicas < bucketReplicas) {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(`KV_${bucket}`);
    await jsm.streams.update(`KV_${bucket}`, { ...info.config, num_replicas: bucketReplicas });
  }
  return kv;
}

/** A KV `update`/`create` that lost the race: the key moved since it was read. */
export function isWrongRevision(error: unknown): boolean {
  return /wrong last sequence|key exists/i.test(errorMessage(error));
}
