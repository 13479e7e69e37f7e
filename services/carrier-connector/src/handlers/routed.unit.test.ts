import { type EventOf, eventIdFor, type MessageEvent } from "@smsgw/contracts";
import { createLogger, type Delivery, type EventPublisher } from "@smsgw/service-kit";
import {
  type Outgoing,
  SmppConnectionClosedError,
  type SmppSession,
  type SubmitSm,
} from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import type { CarrierConfig } from "../config.ts";
import type { Claim, ConnectorStore, PartRow, SubmissionKey } from "../db/store.ts";
import { submissionKey } from "../db/store.ts";
import type { CarrierLink } from "./carrier-link.ts";
import { handleRouted } from "./routed.ts";

const log = createLogger("routed-test", "silent");
const now = new Date("2026-11-24T10:00:00Z");

function routed(
  messageId: string,
  carrierId = "sim-a",
  text = "Hi",
): Delivery<EventOf<"MessageRouted">> {
  return {
    value: {
      eventId: eventIdFor(messageId, "routed", 1),
      type: "MessageRouted",
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
        reason: { matchedPrefix: "+372", candidates: [carrierId] },
      },
    },
    subject: `t.evt.routed.${carrierId}`,
    deliveryCount: 1,
    headers: undefined,
  };
}

/** A store in memory that remembers what it was asked. */
function memoryStore(alreadyClaimed: string[] = []) {
  const claims = new Set(alreadyClaimed);
  const parts: PartRow[] = [];
  const released: SubmissionKey[] = [];
  const store = {
    async claim(list: readonly Claim[]) {
      const won = new Set<string>();
      for (const c of list) {
        const key = submissionKey(c);
        if (!claims.has(key)) won.add(key);
        claims.add(key);
      }
      return won;
    },
    async release(keys: readonly SubmissionKey[]) {
      released.push(...keys);
      for (const k of keys) claims.delete(submissionKey(k));
    },
    async recordParts(rows: readonly PartRow[]) {
      parts.push(...rows);
    },
    async findParts() {
      return new Map();
    },
    markFinal: async () => undefined,
    findExpired: async () => [],
    finishMessages: async () => undefined,
  } satisfies ConnectorStore;
  return { store, parts, released, claims };
}

function fakeLink(
  answer: ((pdu: Outgoing<"submit_sm">) => Promise<unknown>) | null,
  unboundMs = 0,
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
    status: () => ({
      bindsUp: 1,
      bindsWanted: 1,
      throttled: false,
      recentSubmits: 0,
      recentSubmitErrors: 0,
    }),
    firstAttempt: Promise.resolve(),
    stop: async () => undefined,
  };
  return { link, sent };
}

function setup(
  answer: ((pdu: Outgoing<"submit_sm">) => Promise<unknown>) | null,
  claimed: string[] = [],
  unboundMs = 0,
) {
  const { link, sent } = fakeLink(answer, unboundMs);
  const memory = memoryStore(claimed);
  const published: MessageEvent[] = [];
  const publisher = {
    publish: async (e: MessageEvent) => void published.push(e),
    publishAll: async (events: readonly MessageEvent[]) => void published.push(...events),
    publishStatusChanges: async () => undefined,
  } satisfies EventPublisher;
  const handle = handleRouted({
    links: new Map([["sim-a", link]]),
    store: memory.store,
    publisher,
    log,
    now: () => now,
    randomRef: () => 7,
    noBindFailoverMs: 5_000,
  });
  return { handle, sent, published, ...memory };
}

const okResp = (messageId: string) => async () => ({
  command: "submit_sm_resp",
  commandStatus: 0,
  sequenceNumber: 1,
  messageId,
  tlvs: [],
});

describe("handleRouted", () => {
  it("when a message is submitted, its part map is stored normalized and MessageSubmitted published", async () => {
    const { handle, sent, parts, published } = setup(okResp("1a"));
    const outcomes = await handle([routed("msg_1")]);
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
      { carrierMessageId: "26", messageId: "msg_1", part: 1, totalParts: 1 },
    ]);
    expect(published.map((e) => [e.type, e.data])).toEqual([
      [
        "MessageSubmitted",
        { carrierId: "sim-a", attempt: 1, parts: [{ part: 1, carrierMessageId: "1a" }] },
      ],
    ]);
  });

  it("when the same event is in the batch twice, it is submitted once", async () => {
    const { handle, sent } = setup(okResp("1a"));
    const outcomes = await handle([routed("msg_1"), routed("msg_1")]);
    expect(sent).toHaveLength(1);
    expect(outcomes).toEqual([{ kind: "ack" }, { kind: "ack" }]);
  });

  it("when the message was claimed before, it is acked without submitting or publishing", async () => {
    const { handle, sent, published } = setup(okResp("1a"), ["msg_1:1"]);
    expect(await handle([routed("msg_1")])).toEqual([{ kind: "ack" }]);
    expect(sent).toEqual([]);
    expect(published).toEqual([]);
  });

  it("when the carrier has no bound session, the event is nak'd with a delay and not claimed", async () => {
    const { handle, claims } = setup(null);
    expect(await handle([routed("msg_1")])).toEqual([{ kind: "nak", delayMs: 1_000 }]);
    expect(claims.size).toBe(0);
  });

  it("when the carrier has had no bind past the failover delay, SubmitFailed is retryable and says so", async () => {
    const { handle, claims, published } = setup(null, [], 6_000);
    expect(await handle([routed("msg_1")])).toEqual([{ kind: "ack" }]);
    expect(claims.size).toBe(0);
    expect(published).toMatchObject([
      { type: "SubmitFailed", data: { retryable: true, commandStatus: null } },
    ]);
    expect(published[0]?.data).toMatchObject({ detail: expect.stringMatching(/no bind/) });
  });

  it("when the message has a validUntil, submit_sm carries it as an SMPP absolute time", async () => {
    const { handle, sent } = setup(okResp("1a"));
    const delivery = routed("msg_1");
    delivery.value.data.validUntil = "2026-11-25T06:07:08.900Z";
    await handle([delivery]);
    expect(sent[0]?.validityPeriod).toBe("261125060708900+");
  });

  it("when the session closed before the parts were sent, the claim is given back and the event nak'd", async () => {
    const { handle, released, claims, published } = setup(async () => {
      throw new SmppConnectionClosedError(false);
    });
    expect(await handle([routed("msg_1")])).toEqual([{ kind: "nak", delayMs: 1_000 }]);
    expect(released).toEqual([{ messageId: "msg_1", attempt: 1 }]);
    expect(claims.size).toBe(0);
    expect(published).toEqual([]);
  });

  it("when the carrier is not configured here, SubmitFailed says so and is retryable", async () => {
    const { handle, published } = setup(okResp("1a"));
    await handle([routed("msg_1", "elsewhere")]);
    expect(published).toMatchObject([
      {
        type: "SubmitFailed",
        data: { carrierId: "elsewhere", retryable: true, commandStatus: null },
      },
    ]);
  });

  it("when the sender cannot be sent, SubmitFailed is permanent and nothing is claimed", async () => {
    const { handle, published, claims } = setup(okResp("1a"));
    const delivery = routed("msg_1");
    delivery.value.data.from = "Far too long a name";
    await handle([delivery]);
    expect(published).toMatchObject([{ type: "SubmitFailed", data: { retryable: false } }]);
    expect(claims.size).toBe(0);
  });
});
