import { subjects as subjectsFor } from "@smsgw/contracts";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { connectNats, type Nats } from "./connect.ts";
import {
  createEventPublisher,
  isTransientPublishError,
  PublishNotStoredError,
} from "./publisher.ts";
import { ensureEventStream } from "./stream.ts";

const log = createLogger("publisher-test", "silent");
let infra: TestInfra;
let nats: Nats;

beforeAll(async () => {
  infra = await createTestInfra();
  nats = await connectNats(loadConfig(BaseEnv, infra.env).NATS_URL, "publisher-test", log);
});
afterAll(async () => {
  await nats.nc.drain();
  await infra.cleanup();
});

const event = (messageId: string) =>
  ({
    eventId: `${messageId}:accepted`,
    type: "MessageAccepted",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: new Date().toISOString(),
    data: {
      to: "+37256789045",
      from: "MyApp",
      text: "hi",
      encoding: "gsm7",
      parts: 1,
      country: "EE",
      cost: 420,
      currency: "EUR",
      callbackUrl: null,
      reference: null,
    },
  }) as const;

describe("publishing while the stream has no leader", () => {
  it("when the stream appears within the retry budget (a leader elected), the publish is stored once", async () => {
    // No stream captures these subjects yet: JetStream answers "no responders", as it
    // does while a cluster elects a new leader for the stream.
    const subjects = subjectsFor(`${infra.env.NATS_PREFIX}x`);
    const publisher = createEventPublisher(nats.js, subjects, { retryForMs: 5_000 });
    const publishing = publisher.publish(event("msg_01JRETRY00000000000000000"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await ensureEventStream(nats.jsm, subjects);
    await publishing;
    const info = await nats.jsm.streams.info(subjects.stream);
    expect(info.state.messages).toBe(1);
    await nats.jsm.streams.delete(subjects.stream);
  });

  it("when no stream appears within the budget, the publish fails with the server's answer", async () => {
    const subjects = subjectsFor(`${infra.env.NATS_PREFIX}y`);
    const publisher = createEventPublisher(nats.js, subjects, { retryForMs: 300 });
    const started = Date.now();
    const failure = publisher.publish(event("msg_01JRETRY00000000000000001"));
    await expect(failure).rejects.toSatisfy(isTransientPublishError);
    // Every attempt met no stream: definitely not stored, unlike a lost ack (ADR 0022).
    await expect(failure).rejects.toBeInstanceOf(PublishNotStoredError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("when 200 events at the door's limits would make an envelope over NATS's payload limit, they go in smaller envelopes, every event stored once", async () => {
    const subjects = subjectsFor(`${infra.env.NATS_PREFIX}z`);
    await ensureEventStream(nats.jsm, subjects);
    const publisher = createEventPublisher(nats.js, subjects);
    // About 6 KB each: ten parts of quotes (escaped in JSON), a 2 KB callback URL.
    const big = (i: number) => {
      const base = event(`msg_01JBIG${String(i).padStart(20, "0")}`);
      return {
        ...base,
        data: {
          ...base.data,
          text: '"'.repeat(1_530),
          callbackUrl: `https://example.com/${"c".repeat(2_020)}`,
        },
      };
    };
    const events = Array.from({ length: 200 }, (_, i) => big(i));
    expect(Buffer.byteLength(JSON.stringify({ events }))).toBeGreaterThan(1024 * 1024);
    await publisher.publishGrouped(events);
    // Again (a retry): the same envelopes, dropped as duplicates.
    await publisher.publishGrouped(events);
    const stored: string[] = [];
    const info = await nats.jsm.streams.info(subjects.stream);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await nats.jsm.streams.getMessage(subjects.stream, { seq });
      const body = message?.json<{ events: Array<{ eventId: string }> }>();
      stored.push(...(body?.events ?? []).map((e) => e.eventId));
    }
    expect(info.state.messages).toBeGreaterThan(1);
    expect(stored.sort()).toEqual(events.map((e) => e.eventId).sort());
    await nats.jsm.streams.delete(subjects.stream);
  });

  it("when an error is not transient, it is not retried", () => {
    expect(isTransientPublishError(new Error("maximum payload exceeded"))).toBe(false);
    expect(isTransientPublishError(new Error("503 no responders available"))).toBe(true);
  });
});
