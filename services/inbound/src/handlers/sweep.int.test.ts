import type { InboundDelivery, InboundMessageReceived } from "@smsgw/contracts";
import { createLogger, type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadInboundConfig } from "../config.ts";
import { createMessageStore } from "../db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "../db/migrations.ts";
import { createNumberStore } from "../db/numbers-store.ts";
import { handleReceived, republisher, settler } from "./received.ts";
import { REPUBLISH_AFTER_MS, startConcatSweep } from "./sweep.ts";

const OWNED = "+37250000001";
const TIMEOUT_MS = 60_000;

let infra: TestInfra;
let database: Database<unknown>;
let handle: ReturnType<typeof handleReceived>;
let sweep: { stop(): Promise<void> } | undefined;
const published: InboundDelivery[] = [];
/** The publishes still to fail (a NATS timeout, a dying connection). */
let failing = 0;
/** The test's clock: moved forward to make a group overdue or a delivery unconfirmed long enough. */
let clockMs = 0;

let n = 0;
const part = (from: string, text: string, seq: number, receivedAt = new Date()) =>
  ({
    type: "InboundMessageReceived",
    version: 1,
    inboundId: `mo_01JE${String(++n).padStart(22, "0")}`,
    carrierId: "sim-a",
    from,
    to: OWNED,
    text,
    dataCoding: 0,
    receivedAt: receivedAt.toISOString(),
    part: { ref: 5, total: 2, seq },
  }) satisfies InboundMessageReceived;
const deliver = (...values: InboundMessageReceived[]) =>
  handle(
    values.map((value) => ({ value, subject: "x", deliveryCount: 1, seq: 1, headers: undefined })),
  );
/** Rounds run every 20 ms; a loaded machine may take a while to run one. */
const SOON = { timeout: 10_000 };
const publishedTexts = (from: string) =>
  published.filter((d) => d.from === from).map((d) => d.text);

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
  const numbers = createNumberStore(database);
  await numbers.put({ number: OWNED, carrierId: "sim-a", country: "EE", simulator: true });
  await numbers.take("acc_1", { number: OWNED, test: true }, new Date(), {
    actor: "api:token",
    ip: null,
  });
  const messages = createMessageStore(database);
  const log = createLogger("test", "silent");
  const now = () => new Date(Date.now() + clockMs);
  const deps = {
    messages,
    numbers,
    optOuts: { add: async () => undefined as never, remove: async () => true },
    publish: async (delivery: InboundDelivery) => {
      if (failing > 0) {
        failing -= 1;
        throw new Error("nats: timeout");
      }
      published.push(delivery);
      return 1_000 + published.length;
    },
    concatTimeoutMs: TIMEOUT_MS,
    log,
    now,
  };
  handle = handleReceived(deps);
  sweep = startConcatSweep({
    messages,
    settle: settler(deps),
    republish: republisher(deps),
    concatTimeoutMs: TIMEOUT_MS,
    everyMs: 20,
    log,
    now,
  });
});

afterAll(async () => {
  await sweep?.stop();
  await database?.close();
  await infra?.cleanup();
});

const publishedAt = async (from: string) =>
  database.sql<{ text: string; published: boolean }[]>`
    select text, published_at is not null as published from messages where from_number = ${from}`;

describe("an account's message stored but never published", () => {
  it("when the sweep joins an overdue group and its publish fails, a later round publishes it, once", async () => {
    const from = "+37256789101";
    clockMs = 0;
    await deliver(part(from, "alone ", 1));
    failing = 1;
    // The group is overdue: the next round joins it, and its publish fails; being older than
    // REPUBLISH_AFTER_MS by this clock, it is published by a round after that.
    clockMs = TIMEOUT_MS + 1_000;
    await vi.waitFor(() => expect(publishedTexts(from)).toEqual(["alone "]), SOON);
    expect(failing).toBe(0);
    await vi.waitFor(
      async () => expect(await publishedAt(from)).toEqual([{ text: "alone ", published: true }]),
      SOON,
    );
    // Confirmed: the next rounds leave it alone.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(publishedTexts(from)).toEqual(["alone "]);
  });

  it("when a new message under a waiting group's reference supersedes it and the older one's publish fails, the sweep publishes it", async () => {
    const from = "+37256789102";
    clockMs = 0;
    await deliver(part(from, "old-1 ", 1));
    failing = 1;
    const newer = part(from, "new-1 ", 1);
    await expect(deliver(newer)).rejects.toThrow("nats: timeout");
    // JetStream redelivers the batch: the new part waits (stored once), the old is not retaken.
    await deliver(newer);
    await deliver(part(from, "new-2", 2));
    expect(publishedTexts(from)).toEqual(["new-1 new-2"]);
    clockMs = REPUBLISH_AFTER_MS + 1_000;
    await vi.waitFor(() => expect(publishedTexts(from)).toEqual(["new-1 new-2", "old-1 "]), SOON);
    await vi.waitFor(
      async () => expect((await publishedAt(from)).every((m) => m.published)).toBe(true),
      SOON,
    );
  });
});
