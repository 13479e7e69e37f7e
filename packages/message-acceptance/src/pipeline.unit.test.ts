import {
  createLogger,
  type EventPublisher,
  inChunks,
  PublishNotStoredError,
} from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import type { Charge } from "./domain/authorize-outcome.ts";
import { createPipeline, type Draft } from "./pipeline.ts";

// acceptAll's answer when a publish fails (ADR 0022): a message that may be stored is never
// answered "not stored", or a client's retry sends it twice.

const log = createLogger("pipeline-test", "silent");
const NOT_STORED = () => new PublishNotStoredError("not stored (no responders): no responders");
const LOST_ACK = () => new Error("TimeoutError: timeout");

type Try = "ok" | "lost_ack" | "not_stored";

/** A publisher whose envelope and single publishes go as told, each single try in turn. */
function publisher(envelope: Try, singles: Try[]) {
  const tries = { envelope: [] as string[][], single: [] as string[] };
  const outcome = (t: Try) => {
    if (t === "lost_ack") throw LOST_ACK();
    if (t === "not_stored") throw NOT_STORED();
  };
  const stub = {
    async publishGrouped(events: ReadonlyArray<{ eventId: string }>) {
      if (events.length === 0) return;
      tries.envelope.push(events.map((e) => e.eventId));
      outcome(envelope);
    },
    async publish(event: { eventId: string }) {
      tries.single.push(event.eventId);
      outcome(singles.shift() ?? "ok");
    },
  } as unknown as EventPublisher;
  return { stub, tries };
}

function items(n: number, sendAt: (i: number) => string | null = () => null) {
  const now = Date.now();
  const charged = {
    amount: 420,
    currency: "EUR",
    pricePerPart: 420,
    publishBy: new Date(now + 60_000).toISOString(),
    answeredAt: now,
  } as unknown as Charge;
  return Array.from({ length: n }, (_, i) => ({
    draft: {
      messageId: `msg_${i}`,
      account: { accountId: "acc_1" },
      input: {
        fields: {
          toNumber: "+37256789045",
          fromNumber: "ACME",
          text: "hi",
          callbackUrl: null,
          callbackStatuses: null,
        },
        reference: null,
        schedule: { sendAt: sendAt(i), validUntil: null },
      },
      destination: { e164: "+37256789045", country: "EE" },
      sender: "ACME",
      count: { parts: 1, encoding: "gsm7" },
    } as unknown as Draft,
    charged,
  }));
}

function pipelineWith(stub: EventPublisher) {
  return createPipeline({
    maxParts: 10,
    authorizer: { authorize: async () => ({ outcome: "error", reason: "unused" }) } as never,
    publisher: stub,
    routingRules: () => null,
    log,
    now: () => Date.now(),
  });
}

describe("accepting a batch when a publish fails", () => {
  it("when the envelope's PubAck is lost and every retry finds no stream, the messages are unknown, never not stored", async () => {
    const { stub } = publisher("lost_ack", ["not_stored", "not_stored"]);
    expect(await pipelineWith(stub).acceptAll(items(2))).toEqual(["unknown", "unknown"]);
  });

  it("when the envelope and the retries all find no stream, the messages are not stored", async () => {
    const { stub } = publisher("not_stored", ["not_stored", "not_stored"]);
    expect(await pipelineWith(stub).acceptAll(items(2))).toEqual(["not_stored", "not_stored"]);
  });

  it("when the envelope was stored and a scheduled message's publish failed, the envelope's messages are stored and not published again", async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    // Message 2 is scheduled: published alone; its first try and its retry find no stream.
    const { stub, tries } = publisher("ok", ["not_stored", "not_stored"]);
    const outcomes = await pipelineWith(stub).acceptAll(items(3, (i) => (i === 2 ? later : null)));
    expect(outcomes).toEqual(["stored", "stored", "not_stored"]);
    expect(tries.envelope).toEqual([["msg_0:accepted", "msg_1:accepted"]]);
    expect(tries.single).toEqual(["msg_2:accepted", "msg_2:accepted"]);
  });

  it("when the envelope failed and the retry stores a message, it is stored", async () => {
    const { stub } = publisher("lost_ack", ["ok", "lost_ack"]);
    expect(await pipelineWith(stub).acceptAll(items(2))).toEqual(["stored", "unknown"]);
  });

  it("when one envelope of a large batch was stored and the next found no stream, the first's messages are stored, not answered not stored", async () => {
    const single: string[] = [];
    const stub = {
      // The publisher's own chunking: 200 to an envelope, chunks sent together.
      async publishGrouped(events: ReadonlyArray<{ eventId: string }>) {
        await inChunks(
          events,
          async () => {
            throw NOT_STORED();
          },
          async (chunk) => {
            if (chunk.some((e) => e.eventId === "msg_200:accepted")) throw NOT_STORED();
          },
        );
      },
      async publish(event: { eventId: string }) {
        single.push(event.eventId);
        throw NOT_STORED();
      },
    } as unknown as EventPublisher;
    const outcomes = await pipelineWith(stub).acceptAll(items(202));
    expect(outcomes.slice(0, 200).every((o) => o === "stored")).toBe(true);
    expect(outcomes.slice(200)).toEqual(["not_stored", "not_stored"]);
    // Only the failed envelope's messages are tried again.
    expect(single).toEqual(["msg_200:accepted", "msg_201:accepted"]);
  });
});
