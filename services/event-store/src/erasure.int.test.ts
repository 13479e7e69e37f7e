import {
  type MessageEvent,
  MessagesErased,
  newMessageId,
  publicEventOf,
  RETENTION_POLICY_KEY,
  type RedactRequest,
  RedactResponse,
  RetentionPolicy,
} from "@smsgw/contracts";
import { createMessageReader, type MessageReader } from "@smsgw/message-read-model";
import {
  createEraseNotifier,
  createLogger,
  type EraseNotifier,
  type Messaging,
  openBucket,
  openMessaging,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, tablesContaining, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventStoreConfig, loadEventStoreConfig } from "./config.ts";
import { setRetentionOverride } from "./db/erasure.ts";
import { startRedactResponder } from "./handlers/redact-responder.ts";
import { runRetention } from "./handlers/retention.ts";
import { createRetentionPolicyPublisher } from "./handlers/retention-policy.ts";
import { DURABLE, type StartedEventStore, startEventStore } from "./service.ts";
import { messageEvents } from "./testing/message-events.ts";

const log = createLogger("erasure-test", process.env.TEST_LOG_LEVEL ?? "silent");
const DAY_MS = 86_400_000;
const t = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();
const FINAL_AT = Date.parse(t(3));

let infra: TestInfra;
let config: EventStoreConfig;
let messaging: Messaging;
let service: StartedEventStore;
let sql: postgres.Sql;
let reader: MessageReader;

beforeAll(async () => {
  // The job's own timer never fires in tests (testkit sets RETENTION_INTERVAL_MS to a day):
  // each test here runs it with its own clock.
  infra = await createTestInfra({ HEALTH_PORT: "0" });
  config = loadEventStoreConfig(infra.env);
  messaging = await openMessaging(config, "erasure-test", log);
  service = await startEventStore(config, log);
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  reader = createMessageReader(sql);
});

afterAll(async () => {
  await service?.stop();
  await messaging?.close();
  await sql?.end();
  await infra?.cleanup();
});

/** A text and a number no other test uses, so finding them anywhere means they were kept. */
function secrets() {
  const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { to: `+3725${digits}`, text: `erase me ${newMessageId()}` };
}

/** Publishes a message's life: accepted, refused once (with its failover content), delivered. */
async function deliveredMessage(accountId: string, secret = secrets()) {
  const id = newMessageId();
  const e = messageEvents(id, accountId);
  const refused = {
    ...e.submitFailed(t(1)),
    data: {
      carrierId: "sim-b",
      attempt: 1,
      retryable: true,
      commandStatus: 88,
      detail: "throttled",
      failover: {
        content: { to: secret.to, from: "MyApp", text: secret.text, encoding: "gsm7", parts: 1 },
        tried: ["sim-b"],
        scoreKey: "372",
      },
    },
  } as MessageEvent;
  await messaging.publisher.publishAll([
    e.accepted(t(0), { to: secret.to, text: secret.text }),
    refused,
    e.submitted(t(2), 1, 2),
    e.receipt(t(3), 1, "delivered"),
  ]);
  await waitFor(async () => (await reader.getMessage(id, accountId))?.status === "delivered");
  return { id, ...secret };
}

async function redact(
  request: RedactRequest,
  subject = messaging.subjects.redactMessage,
): Promise<RedactResponse> {
  const reply = await messaging.nats.nc.request(subject, JSON.stringify(request), {
    timeout: 5_000,
  });
  return RedactResponse.parse(reply.json());
}

const retention = (now: number, notifyErased: EraseNotifier = async () => undefined) =>
  runRetention({
    sql,
    log,
    defaultDays: config.RETENTION_DAYS,
    batch: 2,
    maxBatches: 100,
    now: () => new Date(now),
    notifyErased,
    publishPolicy: async () => undefined,
  });

/** JetStream briefly unavailable: the first notice naming `messageId` is not stored, the rest are. */
function noticeFailingOnce(messageId: string) {
  const notify = createEraseNotifier(messaging.nats.js, messaging.subjects);
  let failed = false;
  return async (ids: readonly string[]) => {
    if (!failed && ids.includes(messageId)) {
      failed = true;
      throw new Error("JetStream not available");
    }
    await notify(ids);
  };
}

async function lastNotice(): Promise<MessagesErased | undefined> {
  const notice = await messaging.nats.jsm.streams.getMessage(messaging.subjects.stream, {
    last_by_subj: messaging.subjects.messagesErased,
  });
  return notice ? MessagesErased.parse(notice.json()) : undefined;
}

async function unsentNotices(): Promise<string[]> {
  const rows = await sql<Array<{ message_id: string }>>`
    select message_id from event_store.erase_notices order by message_id`;
  return rows.map((row) => row.message_id);
}

/** The stream messages holding the needle, read raw on every subject. */
async function inStream(needle: string): Promise<Array<{ seq: number; subject: string }>> {
  const { stream } = messaging.subjects;
  const { first_seq, last_seq } = (await messaging.nats.jsm.streams.info(stream)).state;
  const found: Array<{ seq: number; subject: string }> = [];
  for (let seq = first_seq; seq > 0 && seq <= last_seq; seq++) {
    const message = await messaging.nats.jsm.streams.getMessage(stream, { seq });
    if (message?.string().includes(needle)) found.push({ seq, subject: message.subject });
  }
  return found;
}

async function queuedCopies(): Promise<number[]> {
  const rows = await sql<Array<{ seq: string }>>`
    select seq from event_store.stream_erasures order by seq`;
  return rows.map((row) => Number(row.seq));
}

async function settled(): Promise<void> {
  await waitFor(async () => {
    const info = await messaging.nats.jsm.consumers.info(messaging.subjects.stream, DURABLE);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

describe("erasing one message on request", () => {
  it("when the owner asks for a final message, its text and number are in no table, and status, parts, cost and times stay", async () => {
    const message = await deliveredMessage("acc_redact");
    const before = await reader.getMessage(message.id, "acc_redact");
    expect(await tablesContaining(sql, message.text)).toEqual(["event_store.events"]);

    expect(await redact({ accountId: "acc_redact", messageId: message.id })).toEqual({
      outcome: "redacted",
    });

    expect(await tablesContaining(sql, message.text)).toEqual([]);
    expect(await tablesContaining(sql, message.to)).toEqual([]);
    const notice = await messaging.nats.jsm.streams.getMessage(messaging.subjects.stream, {
      last_by_subj: messaging.subjects.messagesErased,
    });
    expect(MessagesErased.parse(notice?.json())).toMatchObject({ messageIds: [message.id] });
    const after = await reader.getMessage(message.id, "acc_redact");
    expect(after).toEqual({ ...before, to: `${message.to.slice(0, 8)}****` });
    const trail = await reader.listEvents(message.id, "acc_redact", { limit: 10 });
    const accepted = trail?.events.map(publicEventOf).find((e) => e.type === "MessageAccepted");
    expect(accepted?.data).toMatchObject({ text: null, to: after?.to, cost: 420, parts: 1 });
  });

  it("when a message is erased, its events' stream copies go once the event store (their only reader here) acked them; its status envelopes, which nobody reads here, wait", async () => {
    const message = await deliveredMessage("acc_redact");
    const status = messaging.subjects.statusChanged;
    // The final status change goes out just after the fold the reader saw.
    const holding = await waitFor(async () => {
      const found = await inStream(message.to);
      return found.some((m) => m.subject === status) ? found : undefined;
    });
    expect(new Set(holding.map((m) => m.subject.split(".").slice(1).join(".")))).toEqual(
      new Set(["evt.accepted", "evt.submit_failed", "status.changed"]),
    );
    await redact({ accountId: "acc_redact", messageId: message.id });
    await waitFor(async () => (await inStream(message.text)).length === 0, {
      what: "the acceptance's and the refused submit's copies deleted",
    });
    const left = await inStream(message.to);
    expect(left.map((m) => m.subject)).toEqual(left.map(() => status));
    expect(left.length).toBeGreaterThan(0);
    // Queued for when a reader has them (the last envelope may be recorded a moment after the
    // erasure: the next batch, or the idle flush, queues it then).
    await waitFor(async () => {
      const queued = new Set(await queuedCopies());
      return left.every((m) => queued.has(m.seq));
    });
  });

  it("when asked again, it answers the same and changes nothing", async () => {
    const message = await deliveredMessage("acc_redact");
    await redact({ accountId: "acc_redact", messageId: message.id });
    const first = await reader.getMessage(message.id, "acc_redact");
    expect(await redact({ accountId: "acc_redact", messageId: message.id })).toEqual({
      outcome: "redacted",
    });
    expect(await reader.getMessage(message.id, "acc_redact")).toEqual(first);
  });

  it("when its notice is not published, it still answers erased, and asking again publishes the notice", async () => {
    const message = await deliveredMessage("acc_redact");
    const subject = `${messaging.subjects.redactMessage}.notice_fails`;
    const responder = startRedactResponder({
      nc: messaging.nats.nc,
      subject,
      sql,
      log,
      now: () => new Date(),
      notifyErased: noticeFailingOnce(message.id),
    });
    try {
      const request = { accountId: "acc_redact", messageId: message.id };
      expect(await redact(request, subject)).toEqual({ outcome: "redacted" });
      expect(await tablesContaining(sql, message.to)).toEqual([]);
      expect(await unsentNotices()).toContain(message.id);
      expect((await lastNotice())?.messageIds ?? []).not.toContain(message.id);

      expect(await redact(request, subject)).toEqual({ outcome: "redacted" });
      expect((await lastNotice())?.messageIds).toEqual([message.id]);
      expect(await unsentNotices()).not.toContain(message.id);
    } finally {
      await responder.stop();
    }
  });

  it("when another account asks, it is not found and nothing is erased", async () => {
    const message = await deliveredMessage("acc_redact");
    expect(await redact({ accountId: "acc_other", messageId: message.id })).toEqual({
      outcome: "not_found",
    });
    expect(await tablesContaining(sql, message.text)).toEqual(["event_store.events"]);
  });

  it("when the message is not final yet, it is refused as in flight and kept", async () => {
    const id = newMessageId();
    const secret = secrets();
    await messaging.publisher.publishAll([
      messageEvents(id, "acc_redact").accepted(t(0), { to: secret.to, text: secret.text }),
    ]);
    await waitFor(async () => (await reader.getMessage(id, "acc_redact")) !== null);
    expect(await redact({ accountId: "acc_redact", messageId: id })).toEqual({
      outcome: "in_flight",
      status: "queued",
    });
    expect(await tablesContaining(sql, secret.text)).toEqual(["event_store.events"]);
  });

  it("when a refused submit with the content is logged after the erasure, its content is erased too", async () => {
    const message = await deliveredMessage("acc_redact");
    await redact({ accountId: "acc_redact", messageId: message.id });
    const late = {
      ...messageEvents(message.id, "acc_redact").submitFailed(t(7), 3),
      data: {
        carrierId: "sim-a",
        attempt: 3,
        retryable: true,
        commandStatus: 88,
        detail: "throttled",
        failover: {
          content: {
            to: message.to,
            from: "MyApp",
            text: message.text,
            encoding: "gsm7",
            parts: 1,
          },
          tried: ["sim-a"],
          scoreKey: "372",
        },
      },
    } as MessageEvent;
    await messaging.publisher.publishAll([late]);
    await settled();
    expect(await tablesContaining(sql, message.text)).toEqual([]);
    expect(await tablesContaining(sql, message.to)).toEqual([]);
    // Its stream copy is queued in the batch's transaction and deleted like the others.
    await waitFor(async () => (await inStream(message.text)).length === 0, {
      what: "the late refused submit's stream copy deleted",
    });
  });

  it("when an event of an erased message arrives late, the projection keeps the masked number", async () => {
    const message = await deliveredMessage("acc_redact");
    await redact({ accountId: "acc_redact", messageId: message.id });
    await messaging.publisher.publishAll([
      messageEvents(message.id, "acc_redact").webhookAttempted(t(5)),
      messageEvents(message.id, "acc_redact").receipt(t(6), 1, "undelivered"),
    ]);
    await settled();
    expect(await tablesContaining(sql, message.to)).toEqual([]);
    expect((await reader.getMessage(message.id, "acc_redact"))?.status).toBe("delivered");
  });
});

describe("the retention job", () => {
  it("when an account's retention is over, its final messages are erased and no others", async () => {
    const kept = await deliveredMessage("acc_default");
    const shortLived = await deliveredMessage("acc_short");
    const inFlight = newMessageId();
    const pending = secrets();
    await messaging.publisher.publishAll([
      messageEvents(inFlight, "acc_short").accepted(t(0), { to: pending.to, text: pending.text }),
    ]);
    await waitFor(async () => (await reader.getMessage(inFlight, "acc_short")) !== null);
    await setRetentionOverride(sql, "acc_short", 1);

    // A day and a half after the final status: only the account that keeps one day is due.
    expect(await retention(FINAL_AT + 1.5 * DAY_MS)).toBeGreaterThanOrEqual(1);
    expect(await tablesContaining(sql, shortLived.text)).toEqual([]);
    expect(await tablesContaining(sql, shortLived.to)).toEqual([]);
    expect(await tablesContaining(sql, kept.text)).toEqual(["event_store.events"]);
    expect(await tablesContaining(sql, kept.to)).not.toEqual([]);

    // Past the default (30 days): the rest is erased, bar the message that never ended.
    expect(await retention(FINAL_AT + 31 * DAY_MS)).toBeGreaterThanOrEqual(1);
    for (const needle of [kept.text, kept.to]) {
      expect(await tablesContaining(sql, needle)).toEqual([]);
    }
    expect(await tablesContaining(sql, pending.text)).toEqual(["event_store.events"]);
    const erased = await reader.getMessage(kept.id, "acc_default");
    expect(erased).toMatchObject({ status: "delivered", parts: 1, cost: 420 });

    // Nothing left to do: a run erases nothing.
    expect(await retention(FINAL_AT + 31 * DAY_MS)).toBe(0);
  });

  it("when a run's notice is not published, the next run publishes it", async () => {
    const message = await deliveredMessage("acc_notice");
    const notices: string[][] = [];
    const failing = noticeFailingOnce(message.id);
    const notify = async (ids: readonly string[]) => {
      await failing(ids);
      notices.push([...ids]);
    };
    await expect(retention(FINAL_AT + 31 * DAY_MS, notify)).rejects.toThrow(/not available/);
    expect(await tablesContaining(sql, message.to)).toEqual([]);
    expect(notices.flat()).not.toContain(message.id);

    await retention(FINAL_AT + 31 * DAY_MS, notify);
    expect(notices.flat()).toContain(message.id);
    expect(await unsentNotices()).not.toContain(message.id);

    // Stored: a later run does not send it again.
    notices.length = 0;
    await retention(FINAL_AT + 31 * DAY_MS, notify);
    expect(notices.flat()).not.toContain(message.id);
  });
});

describe("the retention policy other services apply", () => {
  it("when the event store starts, the bucket holds the default; when the operator sets an account's days, the next run puts them", async () => {
    const bucket = await openBucket(messaging.nats.nc, messaging.subjects.retentionBucket);
    const policy = async () => {
      const entry = await bucket.get(RETENTION_POLICY_KEY);
      return entry ? RetentionPolicy.parse(entry.json()) : undefined;
    };
    await waitFor(async () => (await policy())?.defaultDays === config.RETENTION_DAYS, {
      what: "the policy published at start",
    });

    await setRetentionOverride(sql, "acc_policy", 3);
    const publish = createRetentionPolicyPublisher(bucket, sql, config.RETENTION_DAYS);
    await publish();
    expect((await policy())?.accounts).toMatchObject({ acc_policy: 3 });
    const revision = (await bucket.get(RETENTION_POLICY_KEY))?.revision;
    // Unchanged: nothing is written again.
    await publish();
    expect((await bucket.get(RETENTION_POLICY_KEY))?.revision).toBe(revision);
  });
});
