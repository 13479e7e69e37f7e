import { eventIdFor, type MessageEvent, type SubmitOrder, submitOrderId } from "@smsgw/contracts";
import { createLogger, type Delivery, type EventPublisher } from "@smsgw/service-kit";
import {
  type Outgoing,
  SmppConnectionClosedError,
  SmppGenericNackError,
  type SmppSession,
  type SubmitSm,
} from "@smsgw/smpp";
import { describe, expect, it, vi } from "vitest";
import type { CarrierConfig } from "../config.ts";
import type { Claim, ConnectorStore, PartRow, StoredClaim, SubmissionKey } from "../db/store.ts";
import { submissionKey } from "../db/store.ts";
import type { SubmitFailure } from "../domain/events.ts";
import { createScoreCounter } from "../domain/score-counter.ts";
import type { CarrierLink } from "./carrier-link.ts";
import { handleSubmitOrders } from "./submit-orders.ts";

const log = createLogger("submit-orders-test", "silent");
const now = new Date("2026-11-24T10:00:00Z");

const reason = { matchedPrefix: "+372", candidates: ["sim-a"], winner: "sim-a" };

function order(messageId: string, carrierId = "sim-a", text = "Hi"): Delivery<SubmitOrder> {
  return {
    value: {
      orderId: submitOrderId(messageId, 1),
      type: "SubmitOrder",
      version: 1,
      messageId,
      accountId: "acc_1",
      occurredAt: now.toISOString(),
      data: {
        to: "+37256789045",
        from: "MyApp",
        text,
        encoding: "gsm7",
        parts: 1,
        carrierId,
        attempt: 1,
        tried: [carrierId],
        scoreKey: "EE",
        reason: { ...reason, candidates: [carrierId], winner: carrierId },
      },
    },
    subject: `t.submit.${carrierId}`,
    deliveryCount: 1,
    seq: 1,
    headers: undefined,
  };
}

/** A store in memory that remembers what it was asked. */
function memoryStore(alreadyClaimed: string[] = [], claimedAt = now) {
  const claims = new Map<string, StoredClaim>();
  for (const key of alreadyClaimed) {
    const [messageId = "", attempt = "1"] = key.split(":");
    claims.set(key, {
      messageId,
      attempt: Number(attempt),
      carrierId: "sim-a",
      claimedAt,
      claimedBy: null,
      failure: null,
    });
  }
  const parts: PartRow[] = [];
  const released: SubmissionKey[] = [];
  /** The claiming statement that made each claim. */
  const tokens = new Map<string, string | undefined>();
  /** Claim statements to come that commit and then lose their answer (Postgres restarting). */
  const faults = { claimAnswersLost: 0, recordPartsFailures: 0 };
  const store = {
    async claim(list: readonly Claim[], token?: string) {
      const won = new Set<string>();
      for (const c of list) {
        const key = submissionKey(c);
        if (claims.has(key)) continue;
        won.add(key);
        tokens.set(key, token);
        claims.set(key, {
          ...c,
          claimedAt: now,
          claimedBy: c.claimedBy ?? null,
          failure: c.failure ?? null,
        });
      }
      if (faults.claimAnswersLost > 0) {
        faults.claimAnswersLost--;
        throw new Error("terminating connection due to administrator command");
      }
      return won;
    },
    async giveBack(keys: readonly SubmissionKey[], token: string) {
      for (const k of keys) {
        const key = submissionKey(k);
        if (claims.has(key) && tokens.get(key) === token) claims.delete(key);
      }
    },
    async release(keys: readonly SubmissionKey[]) {
      released.push(...keys);
      for (const k of keys) claims.delete(submissionKey(k));
    },
    async recordParts(rows: readonly PartRow[]) {
      if (faults.recordPartsFailures > 0) {
        faults.recordPartsFailures--;
        throw new Error("the database system is starting up");
      }
      parts.push(...rows);
    },
    async recordFailures(rows: ReadonlyArray<SubmissionKey & { failure: SubmitFailure }>) {
      for (const row of rows) {
        const claim = claims.get(submissionKey(row));
        if (claim && !claim.failure) claim.failure = row.failure;
      }
    },
    async findClaims(keys: readonly SubmissionKey[]) {
      const found = new Map<string, StoredClaim>();
      for (const k of keys) {
        const claim = claims.get(submissionKey(k));
        if (claim) found.set(submissionKey(k), claim);
      }
      return found;
    },
    async findPartsOfMessages(messageIds: readonly string[]) {
      return parts
        .filter((p) => messageIds.includes(p.messageId))
        .map((p) => ({ ...p, carrierMessageId: p.rawId ?? p.carrierMessageId, submittedAt: now }));
    },
    async findParts() {
      return new Map();
    },
    markFinal: async () => undefined,
    findExpired: async () => [],
    finishMessages: async () => undefined,
  } satisfies ConnectorStore;
  return { store, parts, released, claims, faults };
}

function fakeLink(
  answer: ((pdu: Outgoing<"submit_sm">) => Promise<unknown>) | null,
  unboundMs = 0,
  backlog = { pendingParts: 0, ratePerSec: 0 },
) {
  const sent: Outgoing<"submit_sm">[] = [];
  const session = {
    request(pdu: Outgoing<"submit_sm">) {
      sent.push(pdu);
      return answer ? answer(pdu) : Promise.reject(new Error("no session"));
    },
  } as unknown as SmppSession;
  const link: CarrierLink = {
    carrier: { id: "sim-a", idBase: "hex", defaultValiditySec: 3600 } as CarrierConfig,
    session: () => (answer ? session : undefined),
    unboundForMs: () => (answer ? 0 : unboundMs),
    submit: (pdu) => session.request(pdu),
    backlog: () => backlog,
    status: () => ({
      bindsUp: 1,
      bindsWanted: 1,
      throttled: false,
      recentSubmits: 0,
      recentSubmitErrors: 0,
      unresponsive: false,
    }),
    firstAttempt: async () => undefined,
    slots: () => [0],
    inFlight: () => 0,
    addSlot: () => undefined,
    removeSlot: async () => undefined,
    slotBound: () => answer !== null,
    stop: async () => undefined,
    retire: async () => undefined,
  };
  return { link, sent };
}

function setup(
  answer: ((pdu: Outgoing<"submit_sm">) => Promise<unknown>) | null,
  claimed: string[] = [],
  unboundMs = 0,
  claimedAt = now,
  backlog = { pendingParts: 0, ratePerSec: 0 },
) {
  const { link, sent } = fakeLink(answer, unboundMs, backlog);
  const memory = memoryStore(claimed, claimedAt);
  const published: MessageEvent[] = [];
  /** The events that went out in batch envelopes (only the event store reads them). */
  const batched: MessageEvent[] = [];
  const publisher = {
    publish: async (e: MessageEvent) => void published.push(e),
    publishAll: async (events: readonly MessageEvent[]) => void published.push(...events),
    publishStatusChanges: async () => undefined,
    publishStatusChangeBatch: async () => [],
    publishBatch: async (events: readonly MessageEvent[]) => {
      published.push(...events);
      batched.push(...events);
    },
    publishGrouped: async (events: readonly MessageEvent[]) => void published.push(...events),
  } satisfies EventPublisher;
  const counts = createScoreCounter(600_000, 60_000);
  /** What the handler said it had stored, and how many parts the store held then. */
  const announced: Array<{ keys: string[]; storedThen: number }> = [];
  const handle = handleSubmitOrders({
    links: new Map([["sim-a", link]]),
    store: memory.store,
    publisher,
    log,
    now: () => now,
    refFor: () => 7,
    noBindFailoverMs: 5_000,
    reconcileAfterMs: 600_000,
    counts,
    onPartsStored: (rows) =>
      announced.push({
        keys: rows.map((r) => `${r.carrierId}/${r.carrierMessageId}`),
        storedThen: memory.parts.length,
      }),
  });
  return { handle, sent, published, batched, counts, announced, ...memory };
}

const okResp = (messageId: string) => async () => ({
  command: "submit_sm_resp",
  commandStatus: 0,
  sequenceNumber: 1,
  messageId,
  tlvs: [],
});

describe("handleSubmitOrders", () => {
  it("when a message is submitted, its part map is stored normalized and MessageSubmitted published in a batch, saying why", async () => {
    const { handle, sent, parts, published, batched } = setup(okResp("1a"));
    const outcomes = await handle([order("msg_1")]);
    expect(outcomes).toEqual([{ kind: "ack" }]);
    expect(sent).toHaveLength(1);
    expect(sent[0] as Partial<SubmitSm>).toMatchObject({
      sourceAddr: "MyApp",
      sourceAddrTon: 5,
      destinationAddr: "37256789045",
      destAddrTon: 1,
      destAddrNpi: 1,
      registeredDelivery: 1,
      dataCoding: 0,
    });
    expect(parts).toMatchObject([
      { carrierMessageId: "26", messageId: "msg_1", part: 1, totalParts: 1, scoreKey: "EE" },
    ]);
    expect(published.map((e) => [e.type, e.data])).toEqual([
      [
        "MessageSubmitted",
        {
          carrierId: "sim-a",
          attempt: 1,
          parts: [{ part: 1, carrierMessageId: "1a" }],
          reason,
          // Where the order's copy of the content is in the stream (ADR 0021).
          orderSeq: 1,
        },
      ],
    ]);
    expect(batched).toEqual(published);
  });

  it("when parts are stored, it says which once they are (receipts waiting for them are looked up); a refusal stores none and says nothing", async () => {
    const { handle, announced } = setup(okResp("1a"));
    await handle([order("msg_1")]);
    expect(announced).toEqual([{ keys: ["sim-a/26"], storedThen: 1 }]);
    await handle([order("msg_2", "elsewhere")]);
    expect(announced).toHaveLength(1);
  });

  it("when the database refuses the part map through an outage of many seconds, the carrier's ids are kept and stored once it is back, and MessageSubmitted said once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      const { handle, parts, published, faults } = setup(okResp("1a"));
      // Seven refusals: 200 ms doubling to 5 s between tries, about 16 s of outage.
      faults.recordPartsFailures = 7;
      const handled = handle([order("msg_1")]);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(await handled).toEqual([{ kind: "ack" }]);
      expect(parts).toMatchObject([{ messageId: "msg_1", part: 1 }]);
      expect(published.map((e) => e.type)).toEqual(["MessageSubmitted"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("when the carrier already holds what it can send soon, the orders past its room are left in the stream unclaimed, and come back later", async () => {
    // Capped at 10 a second with 495 parts waiting: room for 5 more (domain/backlog).
    const { handle, sent, claims } = setup(okResp("1a"), [], 0, now, {
      pendingParts: 495,
      ratePerSec: 10,
    });
    const batch = Array.from({ length: 8 }, (_, i) => order(`msg_${i}`));
    const outcomes = await handle(batch);
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill({ kind: "ack" }));
    for (const outcome of outcomes.slice(5)) {
      expect(outcome).toMatchObject({ kind: "nak" });
      expect((outcome as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(1_000);
    }
    expect(sent).toHaveLength(5);
    expect([...claims.keys()].sort()).toEqual([
      "msg_0:1",
      "msg_1:1",
      "msg_2:1",
      "msg_3:1",
      "msg_4:1",
    ]);
  });

  it("when the claim's answer is lost after it committed (Postgres restarting), the claims it made are given back and the redelivery submits at once, once", async () => {
    const { handle, sent, faults, claims, published } = setup(okResp("1a"), ["msg_0:1"]);
    faults.claimAnswersLost = 1;
    await expect(handle([order("msg_1"), order("msg_0")])).rejects.toThrow(/administrator/);
    expect(sent).toHaveLength(0);
    // Its own claim is given back; the one an earlier delivery made stays.
    expect([...claims.keys()]).toEqual(["msg_0:1"]);
    const redelivered = { ...order("msg_1"), deliveryCount: 2 };
    expect(await handle([redelivered])).toEqual([{ kind: "ack" }]);
    expect(sent).toHaveLength(1);
    expect(published.map((e) => e.type)).toEqual(["MessageSubmitted"]);
  });

  it("when an order ends in a refusal, the SubmitFailed says where the order sits in the stream", async () => {
    const { handle, published } = setup(okResp("1a"));
    const refused = order("msg_1", "elsewhere");
    refused.seq = 42;
    await handle([refused]);
    expect(published).toMatchObject([{ type: "SubmitFailed", data: { orderSeq: 42 } }]);
  });

  it("when a message is submitted or refused for now, it counts for the carrier under its score key", async () => {
    const { handle, counts } = setup(okResp("1a"));
    await handle([order("msg_1")]);
    await handle([order("msg_2", "elsewhere")]);
    expect(counts.countsOf("sim-a", now.getTime())).toMatchObject([
      { key: "EE", submits: 1, submitFailures: 0 },
    ]);
    expect(counts.countsOf("elsewhere", now.getTime())).toMatchObject([
      { key: "EE", submits: 0, submitFailures: 1 },
    ]);
  });

  it("when the same event is in the batch twice, it is submitted once", async () => {
    const { handle, sent } = setup(okResp("1a"));
    const outcomes = await handle([order("msg_1"), order("msg_1")]);
    expect(sent).toHaveLength(1);
    expect(outcomes).toEqual([{ kind: "ack" }, { kind: "ack" }]);
  });

  it("when the message was claimed before and is still young, it is nak'd, never resubmitted", async () => {
    const { handle, sent, published } = setup(okResp("1a"), ["msg_1:1"]);
    expect(await handle([order("msg_1")])).toEqual([{ kind: "nak", delayMs: 30_000 }]);
    expect(sent).toEqual([]);
    expect(published).toEqual([]);
  });

  it("when a redelivered message has every part stored, MessageSubmitted is said again, not resubmitted", async () => {
    const { handle, sent, published } = setup(okResp("1a"));
    await handle([order("msg_1")]);
    const again = order("msg_1");
    again.deliveryCount = 2;
    expect(await handle([again])).toEqual([{ kind: "ack" }]);
    expect(sent).toHaveLength(1);
    expect(published.map((e) => e.eventId)).toEqual([
      eventIdFor("msg_1", "submitted", 1),
      eventIdFor("msg_1", "submitted", 1),
    ]);
    expect(published[1]?.data).toEqual(published[0]?.data);
  });

  it("when a stale claim never finished, SubmitFailed says outcome unknown (not retryable), recorded", async () => {
    const stale = new Date(now.getTime() - 600_000);
    const { handle, sent, published, claims } = setup(okResp("1a"), ["msg_1:1"], 0, stale);
    expect(await handle([order("msg_1")])).toEqual([{ kind: "ack" }]);
    expect(sent).toEqual([]);
    expect(published).toMatchObject([
      { type: "SubmitFailed", data: { retryable: false, commandStatus: null } },
    ]);
    expect(published[0]?.data).toMatchObject({ detail: expect.stringMatching(/outcome unknown/) });
    expect(claims.get("msg_1:1")?.failure).toMatchObject({ retryable: false });
  });

  it("when a failed message is redelivered, its recorded SubmitFailed is said again", async () => {
    const { handle, published } = setup(okResp("1a"));
    await handle([order("msg_1", "elsewhere")]);
    const again = order("msg_1", "elsewhere");
    again.deliveryCount = 2;
    await handle([again]);
    expect(published.map((e) => e.type)).toEqual(["SubmitFailed", "SubmitFailed"]);
    expect(published[1]?.data).toEqual(published[0]?.data);
  });

  it("when the same attempt comes again for another carrier (a failure decided again late), it is dropped: nothing submitted, nothing said", async () => {
    const { handle, sent, published } = setup(okResp("1a"), ["msg_1:1"]);
    const late = order("msg_1", "elsewhere");
    late.deliveryCount = 2;
    expect(await handle([late])).toEqual([{ kind: "ack" }]);
    expect(sent).toEqual([]);
    expect(published).toEqual([]);
  });

  it("when the carrier has no bound session, the event is nak'd with a delay and not claimed", async () => {
    const { handle, claims } = setup(null);
    expect(await handle([order("msg_1")])).toEqual([{ kind: "nak", delayMs: 1_000 }]);
    expect(claims.size).toBe(0);
  });

  it("when the carrier has had no bind past the failover delay, SubmitFailed is retryable and says so", async () => {
    const { handle, claims, published } = setup(null, [], 6_000);
    expect(await handle([order("msg_1")])).toEqual([{ kind: "ack" }]);
    expect(claims.get("msg_1:1")?.failure).toMatchObject({ retryable: true });
    expect(published).toMatchObject([
      { type: "SubmitFailed", data: { retryable: true, commandStatus: null } },
    ]);
    expect(published[0]?.data).toMatchObject({ detail: expect.stringMatching(/no bind/) });
  });

  it("when the carrier answers the submit with generic_nack and command_status 0, the message is not submitted: SubmitFailed is retryable with no status, recorded, with what failover needs", async () => {
    const { handle, claims, published, parts } = setup(async () => {
      throw new SmppGenericNackError("submit_sm", 1, 0);
    });
    expect(await handle([order("msg_1")])).toEqual([{ kind: "ack" }]);
    expect(parts).toEqual([]);
    expect(claims.get("msg_1:1")?.failure).toMatchObject({ retryable: true, commandStatus: null });
    expect(published).toMatchObject([
      {
        type: "SubmitFailed",
        data: { retryable: true, commandStatus: null, failover: { tried: ["sim-a"] } },
      },
    ]);
    expect(published[0]?.data).toMatchObject({
      detail: expect.stringMatching(/not accepted: generic_nack with command_status 0/),
    });
  });

  it("when the message has a validUntil, submit_sm carries it as an SMPP absolute time", async () => {
    const { handle, sent } = setup(okResp("1a"));
    const delivery = order("msg_1");
    delivery.value.data.validUntil = "2026-11-25T06:07:08.900Z";
    await handle([delivery]);
    expect(sent[0]?.validityPeriod).toBe("261125060708900+");
  });

  it("when the session closed before the parts were sent, the claim is given back and the event nak'd", async () => {
    const { handle, released, claims, published } = setup(async () => {
      throw new SmppConnectionClosedError(false);
    });
    expect(await handle([order("msg_1")])).toEqual([{ kind: "nak", delayMs: 1_000 }]);
    expect(released).toEqual([{ messageId: "msg_1", attempt: 1 }]);
    expect(claims.size).toBe(0);
    expect(published).toEqual([]);
  });

  it("when the carrier is not configured here, SubmitFailed says so, is retryable and carries what failover needs", async () => {
    const { handle, published, batched } = setup(okResp("1a"));
    await handle([order("msg_1", "elsewhere")]);
    expect(published).toMatchObject([
      {
        type: "SubmitFailed",
        data: {
          carrierId: "elsewhere",
          retryable: true,
          commandStatus: null,
          failover: {
            content: { to: "+37256789045", from: "MyApp", text: "Hi", encoding: "gsm7", parts: 1 },
            tried: ["elsewhere"],
            scoreKey: "EE",
          },
        },
      },
    ]);
    // Routing consumes SubmitFailed: it keeps its own subject.
    expect(batched).toEqual([]);
  });

  it("when the sender cannot be sent, SubmitFailed is permanent and recorded with the claim", async () => {
    const { handle, published, claims } = setup(okResp("1a"));
    const delivery = order("msg_1");
    delivery.value.data.from = "Far too long a name";
    await handle([delivery]);
    expect(published).toMatchObject([{ type: "SubmitFailed", data: { retryable: false } }]);
    // Nothing to fail over: the message fails as it is.
    expect(published[0]?.data).not.toHaveProperty("failover");
    expect(claims.get("msg_1:1")?.failure).toMatchObject({ retryable: false });
  });
});
