import { EventEmitter } from "node:events";
import { createLogger } from "@smsgw/service-kit";
import {
  CommandStatus,
  type DataSm,
  type DeliverSm,
  dataSmOf,
  deliverSm,
  formatReceiptText,
  type SmppSession,
  tlv,
} from "@smsgw/smpp";
import { waitFor } from "@smsgw/testkit";
import { describe, expect, it, vi } from "vitest";
import { type HolderKey, type PartKey, type PartRow, partKey } from "../db/store.ts";
import type { ConnectorEvent } from "../domain/events.ts";
import { createScoreCounter } from "../domain/score-counter.ts";
import { createReceiptHandler } from "./receipts.ts";

const log = createLogger("receipts-test", "silent");
const carrier = { id: "sim-a", receiptIdBase: "hex" as const };

/** A session that records what each deliver_sm or data_sm was answered. */
function fakeSession() {
  const answers: Array<{ seq: number; status: number }> = [];
  const session = Object.assign(new EventEmitter(), {
    state: "bound",
    respond(pdu: DeliverSm | DataSm, fields?: { commandStatus?: number }) {
      answers.push({ seq: pdu.sequenceNumber, status: fields?.commandStatus ?? 0 });
      return true;
    },
  }) as unknown as SmppSession;
  return { session, answers };
}

function receiptPdu(id: string, stat: string, seq: number, esmClass = 0x04): DeliverSm {
  const text = formatReceiptText({ id, stat, submitDate: "2611241000", doneDate: "2611241001" });
  return {
    ...deliverSm({ destinationAddr: "MyApp", esmClass, shortMessage: Buffer.from(text) }),
    commandStatus: 0,
    sequenceNumber: seq,
  };
}

const row = (carrierMessageId: string, part: number): PartRow => ({
  carrierId: "sim-a",
  carrierMessageId,
  messageId: "msg_01",
  accountId: "acc_1",
  part,
  totalParts: 2,
  traceparent: null,
  tracestate: null,
  validUntil: new Date("2026-11-26T00:00:00Z"),
  covers: 1,
});

function setup(
  options: {
    mappingWaitMs?: number;
    unknownDropAfterMs?: number;
    rows?: PartRow[];
    /** The lookup fails (the database is down) while this says so. */
    down?: () => boolean;
    /** Awaited after the lookup has read the stored parts, before it answers. */
    beforeAnswer?: () => Promise<void>;
    log?: typeof log;
  } = {},
) {
  /** Every stored part: a carrier id may have several holders. */
  const rows = [...(options.rows ?? [])];
  const lookups: PartKey[][] = [];
  const published: ConnectorEvent[] = [];
  const finals: HolderKey[] = [];
  const inbound: Array<DeliverSm | DataSm> = [];
  const counts = createScoreCounter(600_000, 60_000);
  const handler = createReceiptHandler({
    findParts: async (keys) => {
      if (options.down?.()) throw new Error("connection refused");
      lookups.push([...keys]);
      const wanted = new Set(keys.map(partKey));
      const found = new Map<string, PartRow[]>();
      for (const r of rows.filter((r) => wanted.has(partKey(r)))) {
        found.set(partKey(r), [...(found.get(partKey(r)) ?? []), r]);
      }
      await options.beforeAnswer?.();
      return found;
    },
    publishAll: async (events) => {
      published.push(...events);
    },
    markFinal: async (keys) => void finals.push(...keys),
    onInbound: (_carrier, session, pdu) => {
      inbound.push(pdu);
      session.respond(pdu);
    },
    log: options.log ?? log,
    now: () => new Date("2026-11-24T10:00:00Z"),
    batchMs: 5,
    mappingWaitMs: options.mappingWaitMs ?? 30_000,
    unknownDropAfterMs: options.unknownDropAfterMs ?? 1_200_000,
    counts,
  });
  return { handler, rows, lookups, published, finals, inbound, counts };
}

describe("receipt handler", () => {
  it("when the carrier gave every part of a long message one id and their receipts come together, they go to parts 1, 2 and 3", async () => {
    const at = new Date("2026-11-24T09:59:00Z");
    const stored = [3, 1, 2].map((part) => ({
      ...row("1a", part),
      carrierMessageId: "26",
      totalParts: 3,
      submittedAt: at,
      final: false,
    }));
    const { handler, lookups, published, finals } = setup({ rows: stored });
    const { session, answers } = fakeSession();
    for (const seq of [1, 2, 3])
      handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", seq));
    await waitFor(() => answers.length === 3);
    expect(lookups).toHaveLength(1);
    expect(published.map((e) => e.eventId)).toEqual([
      "msg_01:receipt:1:DELIVRD",
      "msg_01:receipt:2:DELIVRD",
      "msg_01:receipt:3:DELIVRD",
    ]);
    expect(finals.map((k) => k.part)).toEqual([1, 2, 3]);
    expect(answers.map((a) => a.status)).toEqual([0, 0, 0]);
  });

  it("when a receipt cannot be read, it is answered and logged by its shape only: neither the handset's number nor the text reaches the log", async () => {
    const lines: string[] = [];
    const captured = createLogger("receipts-test", "trace", {
      write: (line: string) => void lines.push(line),
    });
    const { handler } = setup({ log: captured });
    const { session, answers } = fakeSession();
    const pdu: DeliverSm = {
      ...deliverSm({
        sourceAddr: "37256789045",
        destinationAddr: "MyApp",
        esmClass: 0x04,
        // No id and no stat: unreadable, whatever the carrier meant.
        shortMessage: Buffer.from("sub:001 dlvrd:001 text:Your code is 482913"),
      }),
      commandStatus: 0,
      sequenceNumber: 9,
    };
    handler.onRequest(carrier, session, pdu);
    await waitFor(() => answers.length === 1);
    expect(lines.join("")).toContain("unreadable receipt");
    expect(lines.join("")).toContain('"sequenceNumber":9');
    for (const secret of ["37256789045", "482913", "Your code"]) {
      expect(lines.join("")).not.toContain(secret);
    }
  });

  it("when the carrier's config gives its own meaning to an err, the event carries that documented code beside the raw err", async () => {
    const { handler, published } = setup({ rows: [row("26", 1)] });
    const { session, answers } = fakeSession();
    const text = formatReceiptText({
      id: "1a",
      stat: "UNDELIV",
      err: "001",
      submitDate: "2611241000",
      doneDate: "2611241001",
    });
    const pdu: DeliverSm = {
      ...deliverSm({ destinationAddr: "MyApp", esmClass: 0x04, shortMessage: Buffer.from(text) }),
      commandStatus: 0,
      sequenceNumber: 1,
    };
    handler.onRequest({ ...carrier, receiptErrors: { "1": "blocked_by_carrier" } }, session, pdu);
    await waitFor(() => answers.length === 1);
    expect(published[0]?.data).toMatchObject({
      errorCode: "001",
      publicErrorCode: "blocked_by_carrier",
    });
  });

  it("when final receipts map to parts of an order with a score key, each counts once for routing's scores, with the first part's latency", async () => {
    const submittedAt = new Date("2026-11-24T09:59:58Z");
    const scored = (id: string, part: number, final = false): PartRow => ({
      ...row(id, part),
      scoreKey: "EE",
      submittedAt,
      final,
    });
    // Part 2 was final already: its receipt is said again (our answer was lost), which the
    // handler takes it for once the early-receipt wait is over.
    const { handler, counts } = setup({
      rows: [scored("26", 1), scored("27", 2, true)],
      mappingWaitMs: 100,
    });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 1));
    handler.onRequest(carrier, session, receiptPdu("1b", "UNDELIV", 2));
    handler.onRequest(carrier, session, receiptPdu("1a", "ENROUTE", 3));
    await waitFor(() => answers.length === 3);
    expect(counts.countsOf("sim-a", Date.parse("2026-11-24T10:00:00Z"))).toMatchObject([
      { key: "EE", delivered: 1, undelivered: 0, latencyMsSum: 2_000, latencyCount: 1 },
    ]);
  });

  it("when receipts arrive together, they share one lookup and are answered after the publish", async () => {
    const { handler, lookups, published } = setup({ rows: [row("26", 1), row("27", 2)] });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 1));
    handler.onRequest(carrier, session, receiptPdu("1b", "UNDELIV", 2));
    expect(answers).toEqual([]);
    await waitFor(() => answers.length === 2);
    expect(lookups).toHaveLength(1);
    expect(published.map((e) => [e.eventId, e.data])).toEqual([
      [
        "msg_01:receipt:1:DELIVRD",
        {
          carrierId: "sim-a",
          carrierMessageId: "1a",
          part: 1,
          stat: "DELIVRD",
          errorCode: "000",
          partStatus: "delivered",
          publicErrorCode: null,
        },
      ],
      [
        "msg_01:receipt:2:UNDELIV",
        {
          carrierId: "sim-a",
          carrierMessageId: "1b",
          part: 2,
          stat: "UNDELIV",
          errorCode: "000",
          partStatus: "undelivered",
          publicErrorCode: "carrier_error",
        },
      ],
    ]);
    expect(answers).toEqual([
      { seq: 1, status: 0 },
      { seq: 2, status: 0 },
    ]);
  });

  it("when the mapping is stored only after the receipt came, the receipt waits for it", async () => {
    const { handler, rows, lookups, published } = setup();
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 7));
    await waitFor(() => lookups.length >= 2);
    expect(answers).toEqual([]);
    rows.push(row("26", 1));
    await waitFor(() => answers.length === 1);
    expect(answers).toEqual([{ seq: 7, status: 0 }]);
    expect(published).toHaveLength(1);
  });

  it("when this process stores the mapping a parked receipt waits for, it is looked up at once, not at its next back-off", async () => {
    vi.useFakeTimers();
    try {
      const { handler, rows, lookups, published } = setup();
      const { session, answers } = fakeSession();
      handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 7));
      // Looked up at 5, 60 and 165 ms; the next look would be 200 ms later.
      await vi.advanceTimersByTimeAsync(180);
      expect(lookups).toHaveLength(3);
      rows.push(row("26", 1));
      handler.mappingsStored([row("26", 1), row("ab", 2)]);
      await vi.advanceTimersByTimeAsync(10);
      expect(lookups).toHaveLength(4);
      expect(answers).toEqual([{ seq: 7, status: 0 }]);
      expect(published).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("when the mapping is stored while the receipt's lookup runs (too late for it), it is looked up again at once", async () => {
    vi.useFakeTimers();
    try {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let first = true;
      const beforeAnswer = () => {
        if (!first) return Promise.resolve();
        first = false;
        return held;
      };
      const { handler, rows, lookups } = setup({ beforeAnswer });
      const { session, answers } = fakeSession();
      handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 7));
      await vi.advanceTimersByTimeAsync(5);
      expect(lookups).toHaveLength(1);
      rows.push(row("26", 1));
      handler.mappingsStored([row("26", 1)]);
      release();
      await vi.advanceTimersByTimeAsync(10);
      expect(lookups).toHaveLength(2);
      expect(answers).toEqual([{ seq: 7, status: 0 }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("when another receipt's mapping is stored, a parked receipt keeps its back-off", async () => {
    vi.useFakeTimers();
    try {
      const { handler, lookups } = setup();
      const { session, answers } = fakeSession();
      handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 7));
      await vi.advanceTimersByTimeAsync(180);
      handler.mappingsStored([row("27", 1)]);
      await vi.advanceTimersByTimeAsync(100);
      expect(lookups).toHaveLength(3);
      expect(answers).toEqual([]);
      expect(handler.waiting).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("when the mapping never comes, the carrier is told to retry later (ESME_RX_T_APPN)", async () => {
    const { handler, published } = setup({ mappingWaitMs: 120 });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("ff", "DELIVRD", 3));
    await waitFor(() => answers.length === 1);
    expect(answers).toEqual([{ seq: 3, status: CommandStatus.ESME_RX_T_APPN }]);
    expect(published).toEqual([]);
  });

  it("when the carrier keeps sending a receipt for an id never stored, it is told to retry later until the give-up time, then acknowledged and dropped (no endless loop)", async () => {
    const { handler, published } = setup({ mappingWaitMs: 0, unknownDropAfterMs: 150 });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("ee", "DELIVRD", 1));
    await waitFor(() => answers.length === 1);
    handler.onRequest(carrier, session, receiptPdu("ee", "DELIVRD", 2));
    await waitFor(() => answers.length === 2);
    expect(answers).toEqual([
      { seq: 1, status: CommandStatus.ESME_RX_T_APPN },
      { seq: 2, status: CommandStatus.ESME_RX_T_APPN },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The carrier's next try, past the give-up time since the id was first seen unknown.
    handler.onRequest(carrier, session, receiptPdu("ee", "DELIVRD", 3));
    // Another id is still new: it gets its own time.
    handler.onRequest(carrier, session, receiptPdu("ef", "DELIVRD", 4));
    await waitFor(() => answers.length === 4);
    expect(answers.slice(2)).toEqual([
      { seq: 3, status: 0 },
      { seq: 4, status: CommandStatus.ESME_RX_T_APPN },
    ]);
    expect(published).toEqual([]);
  });

  it("when the lookup fails past the give-up time (the database is down), the receipt is still told to retry later, and matched once the database is back", async () => {
    let down = true;
    const { handler, published } = setup({
      mappingWaitMs: 0,
      unknownDropAfterMs: 100,
      rows: [row("221", 1)],
      down: () => down,
    });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("dd", "DELIVRD", 1));
    await waitFor(() => answers.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    handler.onRequest(carrier, session, receiptPdu("dd", "DELIVRD", 2));
    await waitFor(() => answers.length === 2);
    expect(answers).toEqual([
      { seq: 1, status: CommandStatus.ESME_RX_T_APPN },
      { seq: 2, status: CommandStatus.ESME_RX_T_APPN },
    ]);
    down = false;
    handler.onRequest(carrier, session, receiptPdu("dd", "DELIVRD", 3));
    await waitFor(() => answers.length === 3);
    expect(answers[2]).toEqual({ seq: 3, status: 0 });
    expect(published.length).toBe(1);
  });

  it("when a deliver_sm is not a receipt (MO), it goes to the inbound handler, not a lookup", () => {
    const { handler, lookups, inbound } = setup();
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 4, 0x00));
    expect(inbound).toHaveLength(1);
    expect(answers).toEqual([{ seq: 4, status: 0 }]);
    expect(lookups).toEqual([]);
  });

  it("when a deliver_sm is an intermediate notification or an acknowledgement, it is answered and goes nowhere: no MO, no lookup, no event", async () => {
    const { handler, lookups, inbound, published } = setup({ rows: [row("1a", 1)] });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "ENROUTE", 4, 0x20));
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 5, 0x08));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answers).toEqual([
      { seq: 4, status: 0 },
      { seq: 5, status: 0 },
    ]);
    expect(inbound).toEqual([]);
    expect(lookups).toEqual([]);
    expect(published).toEqual([]);
  });

  it("when receipts and an MO come as data_sm, they take the deliver_sm paths: a mapped receipt is published and answered, an unmapped one told to retry later, the MO goes to the inbound handler", async () => {
    const { handler, published, inbound } = setup({ rows: [row("26", 1)], mappingWaitMs: 120 });
    const { session, answers } = fakeSession();
    const asDataSm = (seq: number, fields: Parameters<typeof deliverSm>[0]): DataSm => ({
      ...dataSmOf(deliverSm(fields)),
      commandStatus: 0,
      sequenceNumber: seq,
    });
    const receiptTlvs = (id: string) => [tlv.receiptedMessageId(id), tlv.messageState(2)];
    handler.onRequest(
      carrier,
      session,
      asDataSm(1, { destinationAddr: "MyApp", esmClass: 0x04, tlvs: receiptTlvs("1a") }),
    );
    handler.onRequest(
      carrier,
      session,
      asDataSm(2, { destinationAddr: "MyApp", esmClass: 0x04, tlvs: receiptTlvs("ff") }),
    );
    handler.onRequest(
      carrier,
      session,
      asDataSm(3, { destinationAddr: "1234", shortMessage: Buffer.from("STOP") }),
    );
    expect(inbound.map((pdu) => [pdu.command, pdu.sequenceNumber])).toEqual([["data_sm", 3]]);
    await waitFor(() => answers.length === 3);
    expect(published.map((e) => e.eventId)).toEqual(["msg_01:receipt:1:DELIVRD"]);
    expect(answers).toEqual([
      { seq: 3, status: 0 },
      { seq: 1, status: 0 },
      { seq: 2, status: CommandStatus.ESME_RX_T_APPN },
    ]);
  });

  it("when final receipts are published, their parts are marked final (pending ones are not)", async () => {
    const { handler, finals } = setup({ rows: [row("26", 1), row("27", 2)] });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 1));
    handler.onRequest(carrier, session, receiptPdu("1b", "ENROUTE", 2));
    await waitFor(() => answers.length === 2);
    await waitFor(() => finals.length === 1);
    expect(finals).toEqual([
      { carrierId: "sim-a", carrierMessageId: "26", messageId: "msg_01", part: 1 },
    ]);
  });

  it("when the carrier gave an id again and the receipt comes before the new submit is stored, it waits and goes to the new holder, the only one marked final", async () => {
    const submittedAt = new Date("2026-11-24T09:00:00Z");
    const old = { ...row("26", 1), scoreKey: "EE", submittedAt, final: true };
    const { handler, rows, lookups, published, finals, counts } = setup({ rows: [old] });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 8));
    await waitFor(() => lookups.length >= 2);
    expect(answers).toEqual([]);

    rows.push({
      ...row("26", 1),
      messageId: "msg_02",
      scoreKey: "EE",
      submittedAt: new Date("2026-11-24T09:59:59Z"),
      final: false,
    });
    await waitFor(() => finals.length === 1);
    expect(answers).toEqual([{ seq: 8, status: 0 }]);
    expect(published.map((e) => e.eventId)).toEqual(["msg_02:receipt:1:DELIVRD"]);
    expect(finals).toEqual([
      { carrierId: "sim-a", carrierMessageId: "26", messageId: "msg_02", part: 1 },
    ]);
    expect(counts.countsOf("sim-a", Date.parse("2026-11-24T10:00:00Z"))).toMatchObject([
      { key: "EE", delivered: 1 },
    ]);
  });

  it("when the id's only holder stays final through the wait, the receipt is taken as said again: published to it, answered, not counted twice", async () => {
    const old = { ...row("26", 1), scoreKey: "EE", final: true };
    const { handler, published, counts } = setup({ rows: [old], mappingWaitMs: 120 });
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 9));
    await waitFor(() => answers.length === 1);
    expect(answers).toEqual([{ seq: 9, status: 0 }]);
    expect(published.map((e) => e.eventId)).toEqual(["msg_01:receipt:1:DELIVRD"]);
    expect(counts.countsOf("sim-a", Date.parse("2026-11-24T10:00:00Z"))).toEqual([]);
  });

  it("when its session begins to unbind, a receipt parked for its mapping is told to retry later at once; one on another session keeps waiting", async () => {
    const { handler, lookups } = setup();
    const leaving = fakeSession();
    const staying = fakeSession();
    handler.onRequest(carrier, leaving.session, receiptPdu("1a", "DELIVRD", 5));
    handler.onRequest(carrier, staying.session, receiptPdu("1b", "DELIVRD", 6));
    await waitFor(() => lookups.length >= 1 && handler.waiting === 2);
    Object.assign(leaving.session, { state: "unbinding" });
    leaving.session.emit("unbinding");
    expect(leaving.answers).toEqual([{ seq: 5, status: CommandStatus.ESME_RX_T_APPN }]);
    expect(staying.answers).toEqual([]);
    expect(handler.waiting).toBe(1);
    await handler.stop();
    expect(staying.answers).toEqual([{ seq: 6, status: CommandStatus.ESME_RX_T_APPN }]);
  });

  it("when a receipt's session is unbinding as its lookup finds no mapping, it is told to retry later, not parked", async () => {
    const { handler, lookups } = setup();
    const { session, answers } = fakeSession();
    Object.assign(session, { state: "unbinding" });
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 5));
    await waitFor(() => answers.length === 1);
    expect(lookups).toHaveLength(1);
    expect(answers).toEqual([{ seq: 5, status: CommandStatus.ESME_RX_T_APPN }]);
    expect(handler.waiting).toBe(0);
  });

  it("when stopping, receipts still waiting are told to retry later", async () => {
    const { handler, lookups } = setup();
    const { session, answers } = fakeSession();
    handler.onRequest(carrier, session, receiptPdu("1a", "DELIVRD", 5));
    await waitFor(() => lookups.length >= 1);
    await handler.stop();
    expect(answers).toEqual([{ seq: 5, status: CommandStatus.ESME_RX_T_APPN }]);
  });
});
