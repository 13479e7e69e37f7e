import {
  type InboundMessageReceived,
  newMessageId,
  OptOutRecord,
  optOutKey,
  RETENTION_POLICY_KEY,
  type RetentionPolicy,
} from "@smsgw/contracts";
import {
  createLogger,
  ensureDurableConsumer,
  type Messaging,
  numberErasedNotice,
  openBucket,
  openMessaging,
} from "@smsgw/service-kit";
import { encodeGsm7Unpacked } from "@smsgw/sms-text";
import { createTestInfra, type TestInfra, tablesContaining, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";
import { type StartedInbound, startInbound } from "./service.ts";

/**
 * Erasure of MO in the inbound service (ADR 0021, amendment 2), on real NATS and Postgres:
 * MO go through the service's own consumer; the retention days come from the bucket the event
 * store writes, and the operator's erase-number from the notice its CLI publishes. Afterwards
 * the text and the number are in no row of any table of the inbound schema, and in no message
 * left in the stream, read raw on every subject (amendment 4), once every reader of the
 * deliveries (a stand-in for the dispatcher here) acked past them.
 */

const log = createLogger("inbound-erasure-test", process.env.TEST_LOG_LEVEL ?? "silent");
const SHORT = "+37250000101"; // held by acc_short (1 day)
const DEFAULT = "+37250000102"; // held by acc_default (the default, 30 days)
const UNOWNED = "+37250000199"; // nobody holds it: the operator's MO

let infra: TestInfra;
let service: StartedInbound;
let messaging: Messaging;
let sql: postgres.Sql;
/** Reads the deliveries as the dispatcher does (pulled and acked when the test says). */
const READER = "test-dispatcher";

beforeAll(async () => {
  infra = await createTestInfra({
    HEALTH_PORT: "0",
    RETENTION_INTERVAL_MS: "1000",
    STREAM_ERASER_INTERVAL_MS: "200",
    INBOUND_CONCAT_TIMEOUT_MS: "2000",
    INBOUND_SWEEP_MS: "500",
  });
  const config = loadInboundConfig(infra.env);
  messaging = await openMessaging(config, "inbound-erasure-test", log);
  // What the event store publishes: acc_short keeps its text and numbers one day.
  const policy: RetentionPolicy = { defaultDays: 30, accounts: { acc_short: 1 } };
  const bucket = await openBucket(messaging.nats.nc, messaging.subjects.retentionBucket);
  await bucket.put(RETENTION_POLICY_KEY, JSON.stringify(policy));
  await ensureDurableConsumer(messaging.nats.jsm, messaging.subjects.stream, {
    durable: READER,
    filterSubject: messaging.subjects.inboundDeliver,
  });
  service = await startInbound(config, log);
  for (const [number, accountId] of [
    [SHORT, "acc_short"],
    [DEFAULT, "acc_default"],
  ] as const) {
    await service.numbers.put({ number, carrierId: "sim-a", country: "EE", simulator: true });
    await service.numbers.take(accountId, { number, test: true }, new Date(), {
      actor: "api:token",
      ip: null,
    });
  }
  sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await messaging?.close();
  await sql?.end();
  await infra?.cleanup();
});

/** A handset number and a text no other test uses. */
const handset = () => `+3725${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const secret = (stem: string) => `${stem} ${Math.random().toString(36).slice(2, 10)}`;
/** A part's octets as its event carries them (base64) and as a row shows them (bytea hex). */
const octetsOf = (text: string) => {
  const octets = Buffer.from(encodeGsm7Unpacked(text));
  return { base64: octets.toString("base64"), hex: octets.toString("hex") };
};

/** Publishes an MO as the connector does (a part with its octets); the service's consumer takes it. */
async function carrierSends(
  mo: Pick<InboundMessageReceived, "from" | "to" | "text"> & Partial<InboundMessageReceived>,
) {
  const event: InboundMessageReceived = {
    type: "InboundMessageReceived",
    version: 1,
    inboundId: `mo_${newMessageId().slice(4)}`,
    carrierId: "sim-a",
    dataCoding: 0,
    receivedAt: new Date().toISOString(),
    ...(mo.part ? { octets: octetsOf(mo.text).base64 } : {}),
    ...mo,
  };
  await messaging.nats.js.publish(messaging.subjects.inboundReceived, JSON.stringify(event), {
    msgID: event.inboundId,
  });
}

async function stored(texts: readonly string[]): Promise<void> {
  await waitFor(
    async () => {
      const rows = await sql`select 1 from inbound.messages where text = any(${texts as string[]})`;
      return rows.length === texts.length;
    },
    { timeoutMs: 10_000, what: "the MO stored" },
  );
}

/** The needles still found, each with the tables holding it. */
async function found(needles: readonly string[]): Promise<Record<string, string[]>> {
  const hits: Record<string, string[]> = {};
  for (const needle of needles) {
    const tables = await tablesContaining(sql, needle);
    if (tables.length > 0) hits[needle] = tables;
  }
  return hits;
}

const gone = (needles: readonly string[], what: string) =>
  waitFor(async () => Object.keys(await found(needles)).length === 0, { timeoutMs: 15_000, what });

/** The stream messages holding any of the needles (a number also without its +), read raw on every subject. */
async function inStream(needles: readonly string[]) {
  const { jsm } = messaging.nats;
  const stream = messaging.subjects.stream;
  const variants = needles.flatMap((n) => (n.startsWith("+") ? [n, n.slice(1)] : [n]));
  const { first_seq, last_seq } = (await jsm.streams.info(stream)).state;
  const holding: Array<{ seq: number; subject: string }> = [];
  for (let seq = first_seq; seq > 0 && seq <= last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    const body = message?.string() ?? "";
    if (message && variants.some((n) => body.includes(n)))
      holding.push({ seq, subject: message.subject });
  }
  return holding;
}

const goneFromStream = (needles: readonly string[], what: string) =>
  waitFor(async () => (await inStream(needles)).length === 0, { timeoutMs: 15_000, what });

/** The reader takes every delivery waiting and acks it; answers their texts. */
async function readDeliveries(): Promise<string[]> {
  const { js, jsm } = messaging.nats;
  const stream = messaging.subjects.stream;
  const consumer = await js.consumers.get(stream, READER);
  const texts: string[] = [];
  while ((await jsm.consumers.info(stream, READER)).num_pending > 0) {
    for await (const message of await consumer.fetch({ max_messages: 100, expires: 1_000 })) {
      texts.push((message.json() as { text: string }).text);
      await message.ackAck();
    }
  }
  return texts;
}

describe("retention of inbound messages", () => {
  it("when an account's retention is over, its MO keep no text and no sender in any table; others wait for theirs", async () => {
    const [shortSender, defaultSender, unownedSender] = [handset(), handset(), handset()];
    const [lone, partOne, partTwo, kept, operators] = [
      secret("lone"),
      secret("first half"),
      secret("second half"),
      secret("kept"),
      secret("operator's"),
    ];
    await carrierSends({ from: shortSender, to: SHORT, text: lone });
    for (const [seq, text] of [
      [1, partOne],
      [2, partTwo],
    ] as const) {
      await carrierSends({ from: shortSender, to: SHORT, text, part: { ref: 7, total: 2, seq } });
    }
    await carrierSends({ from: defaultSender, to: DEFAULT, text: kept });
    await carrierSends({ from: unownedSender, to: UNOWNED, text: operators });
    await stored([lone, partOne + partTwo, kept, operators]);
    const [joined] = await sql<{ id: string }[]>`
      select id from inbound.messages where text = ${partOne + partTwo}`;
    // The joined parts keep their octets (the text, in other words) until the message is erased.
    const octets = [octetsOf(partOne), octetsOf(partTwo)];
    expect(await found(octets.map((o) => o.hex))).toEqual(
      Object.fromEntries(octets.map((o) => [o.hex, ["inbound.parts"]])),
    );

    // The clock moved: they all came two days ago.
    const senders = [shortSender, defaultSender, unownedSender];
    const moveBack = async (days: number) => {
      await sql`update inbound.messages set received_at = received_at - make_interval(days => ${days})
        where from_number = any(${senders})`;
      await sql`update inbound.parts set received_at = received_at - make_interval(days => ${days})
        where group_key like ${`%${shortSender}%`}`;
    };
    await moveBack(2);
    await gone(
      [lone, partOne, partTwo, shortSender, ...octets.map((o) => o.hex)],
      "acc_short's MO erased, its parts' octets too",
    );
    // The events that brought them are gone from the stream (the service acked them); the
    // deliveries wait for the reader, which has not read them yet.
    const p = infra.prefix;
    await waitFor(
      async () =>
        (await inStream([lone, partOne, partTwo])).every(
          (m) => m.subject === `${p}.inbound.deliver`,
        ),
      { what: "the erased MO's events deleted from the stream" },
    );
    expect((await inStream([lone, partOne + partTwo])).map((m) => m.subject)).toEqual([
      `${p}.inbound.deliver`,
      `${p}.inbound.deliver`,
    ]);
    // The reader reads on: every delivery reaches it, the kept MO's (in flight beside) too.
    expect(await readDeliveries()).toEqual(expect.arrayContaining([kept, lone]));
    await goneFromStream(
      [lone, partOne, partTwo, shortSender, ...octets.map((o) => o.base64)],
      "acc_short's MO gone from the stream, on every subject",
    );
    expect(await inStream([kept, defaultSender, operators, unownedSender])).not.toEqual([]);
    // The others keep theirs (30 days): the default account's and the operator's.
    expect(Object.keys(await found([kept, defaultSender, operators, unownedSender]))).toHaveLength(
      4,
    );
    // What stays: the message, its parts count and time, the account's number; text null.
    const view = await service.messages.get("acc_short", joined?.id ?? "");
    expect(view).toMatchObject({
      text: null,
      from: `${shortSender.slice(0, -4)}****`,
      to: SHORT,
      parts: 2,
    });

    await moveBack(29);
    await gone([kept, defaultSender, operators, unownedSender], "the default's MO erased");
    await goneFromStream(
      [kept, defaultSender, operators, unownedSender],
      "the default's MO gone from the stream",
    );
  });
});

describe("the operator's erase-number", () => {
  it("when a number is erased, every MO from it (an account's and the operator's, parts still waiting too) keeps no text or number; its opt-out stays", async () => {
    const person = handset();
    const texts = [secret("hello"), secret("to nobody"), secret("half of")];
    await carrierSends({ from: person, to: DEFAULT, text: texts[0] ?? "" });
    await carrierSends({ from: person, to: DEFAULT, text: "STOP" });
    await carrierSends({ from: person, to: UNOWNED, text: texts[1] ?? "" });
    // One part of two: it waits for its sibling (2 s here) when the erasure comes.
    await carrierSends({
      from: person,
      to: DEFAULT,
      text: texts[2] ?? "",
      part: { ref: 9, total: 2, seq: 1 },
    });
    await stored([texts[0] ?? "", texts[1] ?? "", "STOP"]);
    // The part is taken after the lone MO (one stream, in order): wait for it too.
    await waitFor(
      async () => (await tablesContaining(sql, person)).join() === "inbound.messages,inbound.parts",
      { what: "the waiting part stored" },
    );
    const waitingOctets = octetsOf(texts[2] ?? "");
    expect(await tablesContaining(sql, waitingOctets.hex)).toEqual(["inbound.parts"]);

    // As the event store's CLI publishes it: the number's digest, not the number.
    await messaging.nats.js.publish(
      messaging.subjects.numberErased,
      JSON.stringify(numberErasedNotice(person)),
    );
    await gone(
      [person, ...texts, waitingOctets.hex],
      "every MO of the number erased, the late-joined one too (its part's octets with it)",
    );
    // Another handset's MO comes meanwhile: it is delivered, and its copies stay.
    const other = handset();
    const untouched = secret("someone else");
    await carrierSends({ from: other, to: DEFAULT, text: untouched });
    await stored([untouched]);
    expect(await readDeliveries()).toContain(untouched);
    await goneFromStream(
      [person, ...texts, waitingOctets.base64],
      "every MO of the number gone from the stream",
    );
    expect(await inStream([untouched, other])).toHaveLength(2);
    const left = await sql<{ from_number: string; text: string | null }[]>`
      select from_number, text from inbound.messages where from_number = ${`${person.slice(0, -4)}****`}`;
    expect(left).toHaveLength(4);
    expect(left.every((m) => m.text === null)).toBe(true);

    // The opt-out is kept: it is what stops sends to the person (a suppression record).
    const optOuts = await openBucket(messaging.nats.nc, messaging.subjects.optOutsBucket);
    const entry = await optOuts.get(optOutKey("acc_default", person));
    expect(OptOutRecord.parse(entry?.json())).toMatchObject({ number: person, source: "STOP" });
  });
});
