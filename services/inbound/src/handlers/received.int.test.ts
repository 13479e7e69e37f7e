import { connect } from "@nats-io/transport-node";
import type { InboundDelivery, InboundMessageReceived } from "@smsgw/contracts";
import { createLogger, type Database, openBucket, openServiceDatabase } from "@smsgw/service-kit";
import { decodeReceivedText, encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";
import { createTestInfra, TEST_NATS_URL, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInboundConfig } from "../config.ts";
import { createMessageStore } from "../db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "../db/migrations.ts";
import { createNumberStore } from "../db/numbers-store.ts";
import { createOptOutStore, type OptOutStore } from "./opt-out-store.ts";
import { handleReceived } from "./received.ts";

let infra: TestInfra;
let database: Database<unknown>;
const published: InboundDelivery[] = [];
let handle: ReturnType<typeof handleReceived>;
let optOuts: OptOutStore;
let closeNats: (() => Promise<void>) | undefined;
let numbers: ReturnType<typeof createNumberStore>;
const BY = { actor: "api:token", ip: null };

const OWNED = "+37250000001";
let n = 0;
const mo = (overrides: Partial<InboundMessageReceived> = {}): InboundMessageReceived => ({
  type: "InboundMessageReceived",
  version: 1,
  inboundId: `mo_01JD${String(++n).padStart(22, "0")}`,
  carrierId: "sim-a",
  from: "+37256789045",
  to: OWNED,
  text: "Hi",
  dataCoding: 0,
  receivedAt: new Date().toISOString(),
  ...overrides,
});
const deliver = (...values: InboundMessageReceived[]) =>
  handle(
    values.map((value) => ({ value, subject: "x", deliveryCount: 1, seq: 1, headers: undefined })),
  );

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
  numbers = createNumberStore(database);
  await numbers.put({ number: OWNED, carrierId: "sim-a", country: "EE", simulator: true });
  await numbers.take("acc_1", { number: OWNED, test: true }, new Date(), BY);
  const nc = await connect({ servers: TEST_NATS_URL });
  closeNats = () => nc.close();
  optOuts = createOptOutStore(await openBucket(nc, `${infra.prefix}_opt_outs`));
  handle = handleReceived({
    messages: createMessageStore(database),
    numbers,
    optOuts,
    publish: async (delivery) => {
      published.push(delivery);
      return 1_000 + published.length;
    },
    concatTimeoutMs: 60_000,
    log: createLogger("test", "silent"),
    now: () => new Date(),
  });
});

afterAll(async () => {
  await closeNats?.();
  await database?.close();
  await infra?.cleanup();
});

const rows = async (to: string) =>
  database.sql<
    { id: string; text: string }[]
  >`select id, text from messages where to_number = ${to}`;

describe("taking MO from the connector", () => {
  it("when the same MO event is delivered twice, one message is stored and its delivery publishes under one id", async () => {
    const event = mo({ text: "twice" });
    await deliver(event);
    await deliver(event);
    const stored = await rows(OWNED);
    expect(stored.filter((r) => r.text === "twice")).toHaveLength(1);
    const deliveries = published.filter((d) => d.text === "twice");
    // Both runs publish (the second after a crash would need to): JetStream keeps one, by id.
    expect(new Set(deliveries.map((d) => d.id))).toEqual(
      new Set([`in_${event.inboundId.slice(3)}`]),
    );
  });

  it("when a part is redelivered after its message was joined, nothing is joined or stored again", async () => {
    const part = (seq: number) =>
      mo({ to: OWNED, from: "+37256789099", text: `p${seq}`, part: { ref: 9, total: 2, seq } });
    const first = part(1);
    await deliver(first, part(2));
    const before = published.length;
    await deliver(first);
    const id = `in_${first.inboundId.slice(3)}`;
    const stored = (await rows(OWNED)).filter((r) => r.text.startsWith("p"));
    expect(stored).toEqual([{ id, text: "p1p2" }]);
    // Its delivery goes out again (a crash may have come before it), under the same id.
    expect(published.slice(before).map((d) => d.id)).toEqual([id]);
  });

  it("when a part of a new message comes under a group still waiting (same sender, number and reference), the waiting part is stored as it is and the new message whole", async () => {
    const part = (text: string, seq: number) =>
      mo({ from: "+37256789077", text, part: { ref: 4, total: 2, seq } });
    // The older message's second part never comes (its bind dropped between the parts).
    await deliver(part("old-1 ", 1));
    await deliver(part("new-1 ", 1), part("new-2", 2));
    const stored = (await rows(OWNED)).map((r) => r.text).filter((t) => /^(old|new)/.test(t));
    expect(stored.sort()).toEqual(["new-1 new-2", "old-1 "]);
    // A carrier's repeat of a waiting part (its text) is still dropped as before.
    await deliver(part("rep-1 ", 1));
    await deliver(part("rep-1 ", 1), part("rep-2", 2));
    const repeats = (await rows(OWNED)).map((r) => r.text).filter((t) => t.startsWith("rep"));
    expect(repeats).toEqual(["rep-1 rep-2"]);
  });

  it("when the account's number gets STOP, the sender is on its opt-out list; START takes it off; both are still inbound messages", async () => {
    const from = "+37256780001";
    await deliver(mo({ from, text: " stop " }));
    expect(await optOuts.find("acc_1", from)).toMatchObject({ number: from, source: "STOP" });
    await deliver(mo({ from, text: "START" }));
    expect(await optOuts.find("acc_1", from)).toBeUndefined();
    expect(published.filter((d) => d.from === from).map((d) => d.text)).toEqual([
      " stop ",
      "START",
    ]);
  });

  it("when a START handled late (redelivered) came before the sender's STOP, the sender stays opted out; and a STOP before a START stays off", async () => {
    const from = "+37256780002";
    const start = mo({ from, text: "START", receivedAt: "2026-12-07T12:00:00.000Z" });
    const stop = mo({ from, text: "STOP", receivedAt: "2026-12-07T12:00:05.000Z" });
    await deliver(start);
    await deliver(stop);
    expect(await optOuts.find("acc_1", from)).toMatchObject({ source: "STOP" });
    // The START's event again (its ack was lost): the later STOP decides.
    await deliver(start);
    expect(await optOuts.find("acc_1", from)).toMatchObject({ source: "STOP" });

    const other = "+37256780003";
    const early = mo({ from: other, text: "STOP", receivedAt: "2026-12-07T12:00:00.000Z" });
    const late = mo({ from: other, text: "START", receivedAt: "2026-12-07T12:00:05.000Z" });
    // Handled out of order (two replicas, or a batch of the carrier's redeliveries).
    await deliver(late);
    await deliver(early);
    expect(await optOuts.find("acc_1", other)).toBeUndefined();
  });

  it("when a sender's STOP and later START are handled at the same moment, the START decides", async () => {
    const from = "+37256780004";
    const stop = mo({ from, text: "STOP", receivedAt: "2026-12-07T12:00:00.000Z" });
    const start = mo({ from, text: "START", receivedAt: "2026-12-07T12:00:01.000Z" });
    await Promise.all([deliver(start), deliver(stop)]);
    expect(await optOuts.find("acc_1", from)).toBeUndefined();
  });

  it("when the number is in nobody's hands, the MO is stored for the operator and nothing is published", async () => {
    const before = published.length;
    await deliver(mo({ to: "+37250000099", text: "nobody" }));
    expect(await rows("+37250000099")).toHaveLength(1);
    expect(published).toHaveLength(before);
    const [row] = await database.sql<{ account_id: string | null }[]>`
      select account_id from messages where to_number = '+37250000099'`;
    expect(row?.account_id).toBeNull();
  });
});

describe("a part's event redelivered after its message was joined", () => {
  it("when the number changed hands in between, the message goes to the account it arrived for, as stored; the new holder gets nothing and its opt-outs stay", async () => {
    const number = "+37250000002";
    const from = "+37256789011";
    await numbers.put({ number, carrierId: "sim-a", country: "EE", simulator: true });
    await numbers.take("acc_A", { number, test: true }, new Date(), BY);
    const [one, two] = ["ST", "OP"].map((text, index) =>
      mo({ to: number, from, text, part: { ref: 3, total: 2, seq: index + 1 } }),
    ) as [InboundMessageReceived, InboundMessageReceived];
    await deliver(one, two);
    await optOuts.remove("acc_A", from);
    await numbers.release("acc_A", number, new Date(), BY);
    await numbers.take("acc_B", { number, test: true }, new Date(), BY);
    const before = published.length;
    await deliver(two);
    expect(
      published.slice(before).map(({ id, accountId, url, text }) => ({ id, accountId, url, text })),
    ).toEqual([
      { id: `in_${one.inboundId.slice(3)}`, accountId: "acc_A", url: null, text: "STOP" },
    ]);
    expect(await optOuts.find("acc_B", from)).toBeUndefined();
    expect(await optOuts.find("acc_A", from)).toMatchObject({ source: "STOP" });
  });
});

/**
 * The two parts of `text` cut at octet `at` (mid-character, as a carrier may cut them), as the
 * connector records them: each with its octets and its text decoded alone.
 */
const cutInTwo = (
  text: string,
  dataCoding: 0 | 8,
  at: number,
  fields: Partial<InboundMessageReceived>,
) => {
  const octets = Buffer.from(dataCoding === 0 ? encodeGsm7Unpacked(text) : encodeUcs2(text));
  return [octets.subarray(0, at), octets.subarray(at)].map((piece, index) =>
    mo({
      ...fields,
      dataCoding,
      text: decodeReceivedText(piece, dataCoding),
      octets: piece.toString("base64"),
      part: { ref: 21, total: 2, seq: index + 1 },
    }),
  );
};

describe("joining parts a carrier cut mid-character", () => {
  it("when a GSM-7 escape pair is cut between two parts, the message reads with its €", async () => {
    const from = "+37256781001";
    // "Pay 5€ now" is P a y ␠ 5 1B 65 ␠ n o w: part 1 ends with the escape.
    const [one, two] = cutInTwo("Pay 5€ now", 0, 6, { from });
    await deliver(two as InboundMessageReceived, one as InboundMessageReceived);
    expect(published.filter((d) => d.from === from).map((d) => d.text)).toEqual(["Pay 5€ now"]);
  });

  it("when a UCS-2 surrogate pair is cut between two parts, the emoji is whole", async () => {
    const from = "+37256781002";
    const [one, two] = cutInTwo("ok 😀 thanks", 8, 8, { from });
    await deliver(one as InboundMessageReceived);
    await deliver(two as InboundMessageReceived);
    const [row] = await database.sql<{ text: string }[]>`
      select text from messages where from_number = ${from}`;
    expect(row?.text).toBe("ok 😀 thanks");
  });

  it("when the parts' events came before octets were carried, their texts are joined as before", async () => {
    const from = "+37256781003";
    const part = (seq: number, text: string) =>
      mo({ from, text, part: { ref: 22, total: 2, seq } });
    await deliver(part(1, "Pay 5 "), part(2, "e now"));
    expect(published.filter((d) => d.from === from).map((d) => d.text)).toEqual(["Pay 5 e now"]);
  });

  it("when a part with other octets but the same text decoded alone comes under a waiting group, it is a new message's", async () => {
    const from = "+37256781004";
    const [first] = cutInTwo("ab€", 0, 3, { from });
    // "ab " decoded alone, as the cut part; a new message's first part, whole.
    const [other, rest] = cutInTwo("ab cd", 0, 3, { from });
    await deliver(first as InboundMessageReceived);
    await deliver(other as InboundMessageReceived, rest as InboundMessageReceived);
    const stored = await database.sql<{ text: string }[]>`
      select text from messages where from_number = ${from} order by text`;
    expect(stored.map((r) => r.text)).toEqual(["ab ", "ab cd"]);
  });
});

describe("the timeout sweep's housekeeping", () => {
  it("when joined parts are older than a day, they are deleted; waiting ones stay", async () => {
    const messages = createMessageStore(database);
    const old = new Date(Date.now() - 2 * 24 * 60 * 60_000).toISOString();
    const joined = [1, 2].map((seq) =>
      mo({
        from: "+37256780002",
        text: "ab"[seq - 1],
        receivedAt: old,
        part: { ref: 1, total: 2, seq },
      }),
    );
    // A part of a group still waiting for its sibling (recent, so not overdue).
    const waiting = mo({ from: "+37256780003", text: "w", part: { ref: 1, total: 2, seq: 1 } });
    await deliver(...joined, waiting);
    const ids = [...joined, waiting].map((m) => m.inboundId);
    const left = async () =>
      (
        await database.sql<{ mo_id: string }[]>`select mo_id from parts where mo_id = any(${ids})`
      ).map((r) => r.mo_id);
    expect(await left()).toHaveLength(3);
    await messages.pruneJoinedParts(new Date(Date.now() - 24 * 60 * 60_000));
    expect(await left()).toEqual([waiting.inboundId]);
  });
});
