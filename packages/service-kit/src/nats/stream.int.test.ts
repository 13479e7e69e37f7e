import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { type Messaging, openMessaging } from "../infrastructure.ts";
import { createLogger } from "../logger.ts";
import { ensureEventStream } from "./stream.ts";

const log = createLogger("stream-test", "silent");
let infra: TestInfra;
let messaging: Messaging;

beforeAll(async () => {
  infra = await createTestInfra();
  messaging = await openMessaging(loadConfig(BaseEnv, infra.env), "stream-test", log);
});
afterAll(async () => {
  await messaging.close();
  await infra.cleanup();
});

describe("the event stream's replicas", () => {
  it("when STREAM_REPLICAS is not set, the stream keeps one copy", async () => {
    expect(loadConfig(BaseEnv, {}).STREAM_REPLICAS).toBe(1);
    const info = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    expect(info.config.num_replicas).toBe(1);
  });

  it("when STREAM_REPLICAS asks for 3, the stream is updated with 3 copies", async () => {
    const config = loadConfig(BaseEnv, { ...infra.env, STREAM_REPLICAS: "3" });
    expect(config.STREAM_REPLICAS).toBe(3);
    await ensureEventStream(messaging.nats.jsm, messaging.subjects, {
      replicas: config.STREAM_REPLICAS,
    });
    const info = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    // A single server records the wish; a 3-node cluster places the copies.
    expect(info.config.num_replicas).toBe(3);
    expect(() => loadConfig(BaseEnv, { STREAM_REPLICAS: "0" })).toThrow(/STREAM_REPLICAS/);
  });

  it("when a service that does not own the stream finds another configuration, it leaves the stream as it is and says so", async () => {
    const before = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    const outcome = await ensureEventStream(messaging.nats.jsm, messaging.subjects, {
      replicas: before.config.num_replicas,
      maxBytes: 64 * 2 ** 20,
      update: false,
    });
    expect(outcome).toBe("differs");
    const after = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    expect(after.config.max_bytes).toBe(before.config.max_bytes);
    expect(
      await ensureEventStream(messaging.nats.jsm, messaging.subjects, {
        replicas: before.config.num_replicas,
        maxBytes: before.config.max_bytes,
        update: false,
      }),
    ).toBe("same");
  });

  it("when a new stream asks for 3 copies of a single server, the server refuses and start-up fails with its reason", async () => {
    const fresh = {
      ...messaging.subjects,
      stream: `${messaging.subjects.stream}_R3`,
      streamSubjects: [`${infra.prefix}r3.>`],
    };
    await expect(ensureEventStream(messaging.nats.jsm, fresh, { replicas: 3 })).rejects.toThrow(
      /replicas > 1 not supported in non-clustered mode/,
    );
  });

  it("when STREAM_MAX_BYTES is set, the stream is bounded by it and drops its oldest events past it", async () => {
    const config = loadConfig(BaseEnv, { ...infra.env, STREAM_MAX_BYTES: "2Mi" });
    await ensureEventStream(messaging.nats.jsm, messaging.subjects, {
      maxBytes: config.STREAM_MAX_BYTES,
    });
    const info = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    expect(info.config.max_bytes).toBe(2 * 2 ** 20);
    expect(info.config.discard).toBe("old");
    // 3 MiB of 64 KiB publishes into a 2 MiB stream: the oldest go, every publish succeeds.
    const subject = `${infra.prefix}.evt.filler`;
    for (let i = 0; i < 48; i += 1) {
      await messaging.nats.js.publish(subject, new Uint8Array(64 * 1024));
    }
    const after = await messaging.nats.jsm.streams.info(messaging.subjects.stream);
    expect(after.state.bytes).toBeLessThanOrEqual(2 * 2 ** 20);
    expect(after.state.first_seq).toBeGreaterThan(1);
    expect(after.state.last_seq).toBeGreaterThanOrEqual(48);
  });
});
