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

  it("when an error is not transient, it is not retried", () => {
    expect(isTransientPublishError(new Error("maximum payload exceeded"))).toBe(false);
    expect(isTransientPublishError(new Error("503 no responders available"))).toBe(true);
  });
});
