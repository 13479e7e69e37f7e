import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "../config.ts";
import { CONNECTOR_SCHEMA, migrations } from "./migrations.ts";
import type { ConnectorDatabase } from "./schema.ts";
import { type ConnectorStore, createConnectorStore, type PartRow, partKey } from "./store.ts";

const validUntil = new Date(Date.now() + 3_600_000);
const part = (carrierMessageId: string, messageId: string, n = 1): PartRow => ({
  carrierId: "sim-a",
  carrierMessageId,
  rawId: carrierMessageId,
  messageId,
  accountId: "acc_1",
  part: n,
  totalParts: 1,
  traceparent: null,
  tracestate: null,
  validUntil,
  covers: 1,
  scoreKey: "EE",
});
const key = (carrierMessageId: string) => ({ carrierId: "sim-a", carrierMessageId });
const holderOf = (p: PartRow) => ({
  carrierId: p.carrierId,
  carrierMessageId: p.carrierMessageId,
  messageId: p.messageId,
  part: p.part,
});

describe("the connector's part map on real Postgres", () => {
  let infra: TestInfra;
  let database: Database<ConnectorDatabase>;
  let store: ConnectorStore;

  beforeAll(async () => {
    infra = await createTestInfra();
    database = await openServiceDatabase<ConnectorDatabase>(
      loadCarrierConnectorConfig(infra.env),
      CONNECTOR_SCHEMA,
      migrations,
    );
    store = createConnectorStore(database.db);
  });
  beforeEach(async () => {
    await database.sql`delete from parts`;
  });
  afterAll(async () => {
    await database?.close();
    await infra?.cleanup();
  });

  const holdersOf = async (carrierMessageId: string) =>
    ((await store.findParts([key(carrierMessageId)])).get(partKey(key(carrierMessageId))) ?? [])
      .map((p) => [p.messageId, p.final])
      .sort();

  it("when a claiming statement's claims are given back by its token, only the claims it made go: an earlier statement's claim of the same key stays", async () => {
    const claim = (messageId: string) => ({ messageId, attempt: 1, carrierId: "sim-a" });
    expect(await store.claim([claim("msg_01EARLIER")], "token-1")).toEqual(
      new Set(["msg_01EARLIER:1"]),
    );
    const keys = [claim("msg_01EARLIER"), claim("msg_01LOST"), claim("msg_01LOST2")];
    await store.claim(keys, "token-2");
    await store.giveBack(keys, "token-2");
    const left = await store.findClaims(keys);
    expect([...left.keys()]).toEqual(["msg_01EARLIER:1"]);
    // Given back, the lost statement's keys are claimed afresh.
    expect(await store.claim([claim("msg_01LOST")], "token-3")).toEqual(new Set(["msg_01LOST:1"]));
  });

  it("when the carrier gives an id again, the new holder is stored beside the old final one and a lookup returns both", async () => {
    const old = part("4096", "msg_01OLD");
    await store.recordParts([old]);
    await store.markFinal([holderOf(old)]);
    await store.recordParts([part("4096", "msg_02NEW")]);

    expect(await holdersOf("4096")).toEqual([
      ["msg_01OLD", true],
      ["msg_02NEW", false],
    ]);
  });

  it("when one holder of an id is marked final, the other stays live, and its message is what the expiry sweep finds", async () => {
    const stale = { ...part("77", "msg_01OLD"), validUntil: new Date(Date.now() - 60_000) };
    const current = part("77", "msg_02NEW");
    await store.recordParts([stale, current]);
    await store.markFinal([holderOf(current)]);

    expect(await holdersOf("77")).toEqual([
      ["msg_01OLD", false],
      ["msg_02NEW", true],
    ]);
    const expired = await store.findExpired(new Date(), 10);
    expect(expired.map((m) => m.messageId)).toEqual(["msg_01OLD"]);
  });

  it("when parts are stored again (a retried statement, a duplicate in one batch), each stays one row and keeps its final mark", async () => {
    const one = part("5", "msg_01");
    await store.recordParts([one, one]);
    await store.markFinal([holderOf(one)]);
    await store.recordParts([one]);

    expect(await holdersOf("5")).toEqual([["msg_01", true]]);
  });

  it("when ids of several carriers are looked up in one batch, each key gets only its own holders", async () => {
    await store.recordParts([
      part("1", "msg_01"),
      part("1", "msg_02"),
      part("2", "msg_03"),
      { ...part("1", "msg_04"), carrierId: "sim-b" },
    ]);
    const found = await store.findParts([key("1"), key("2"), key("3")]);

    expect([...found.keys()].sort()).toEqual([partKey(key("1")), partKey(key("2"))]);
    expect(
      found
        .get(partKey(key("1")))
        ?.map((p) => p.messageId)
        .sort(),
    ).toEqual(["msg_01", "msg_02"]);
  });
});

describe("parts stored before migration 0007 (one holder per id)", () => {
  let infra: TestInfra;

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  afterAll(async () => {
    await infra?.cleanup();
  });

  it("when the schema moves to 0007, they are found as before and a reused id can join them", async () => {
    const config = loadCarrierConnectorConfig(infra.env);
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "0007"));
    const old = await openServiceDatabase<ConnectorDatabase>(config, CONNECTOR_SCHEMA, before);
    await old.sql`
      insert into parts (carrier_id, carrier_message_id, message_id, account_id, part, total_parts, final)
      values ('sim-a', '4096', 'msg_01OLD', 'acc_1', 1, 1, true)`;
    await old.close();

    const database = await openServiceDatabase<ConnectorDatabase>(
      config,
      CONNECTOR_SCHEMA,
      migrations,
    );
    try {
      const store = createConnectorStore(database.db);
      await store.recordParts([part("4096", "msg_02NEW")]);
      const holders = (await store.findParts([key("4096")])).get(partKey(key("4096"))) ?? [];
      expect(holders.map((p) => [p.messageId, p.final]).sort()).toEqual([
        ["msg_01OLD", true],
        ["msg_02NEW", false],
      ]);
    } finally {
      await database.close();
    }
  });
});
