import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { type Messaging, openMessaging } from "../infrastructure.ts";
import { createLogger } from "../logger.ts";
import { openBucket, setBucketReplicas } from "./bucket.ts";

const log = createLogger("bucket-test", "silent");
let infra: TestInfra;
let messaging: Messaging;

beforeAll(async () => {
  infra = await createTestInfra();
  messaging = await openMessaging(loadConfig(BaseEnv, infra.env), "bucket-test", log);
});
afterAll(async () => {
  setBucketReplicas(1);
  await messaging.close();
  await infra.cleanup();
});

describe("KV buckets follow STREAM_REPLICAS", () => {
  // A single server refuses to create a bucket with 3 copies (the cluster drill creates them
  // on a 3-node cluster); it records an update, as for the event stream.
  it("when the buckets should have 3 copies, an existing bucket with one copy is updated to 3", async () => {
    const bucket = `${infra.env.NATS_PREFIX}_replicated`;
    const single = await openBucket(messaging.nats.nc, bucket);
    expect((await single.status()).replicas).toBe(1);
    await single.put("k", "v");

    setBucketReplicas(3);
    const again = await openBucket(messaging.nats.nc, bucket);
    const info = await messaging.nats.jsm.streams.info(`KV_${bucket}`);
    // A single server records the wish; a 3-node cluster places the copies.
    expect(info.config.num_replicas).toBe(3);
    expect((await again.get("k"))?.string()).toBe("v");
  });
});
