import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ACK, type Delivery, nak, term } from "./consumer.ts";
import { outcomesOfDeliveries, singleOrBatch, unbatch } from "./unbatch.ts";

const delivery = <T>(value: T): Delivery<T> => ({
  value,
  subject: "t.evt.accepted",
  deliveryCount: 1,
  seq: 1,
  headers: undefined,
});

describe("unbatch", () => {
  const Event = z.object({ type: z.literal("A"), n: z.number() });
  const schema = singleOrBatch(Event);

  it("flattens envelopes in order and says which delivery carried each event", () => {
    const values = [
      { type: "A", n: 1 },
      {
        type: "EventBatch",
        version: 1,
        events: [
          { type: "A", n: 2 },
          { type: "A", n: 3 },
        ],
      },
      { type: "A", n: 4 },
    ].map((value) => delivery(schema.parse(value)));
    const { events, invalid } = unbatch(values, Event);
    expect(events.map((e) => [e.value.n, e.delivery])).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
    expect(invalid).toBe(0);
  });

  it("drops an event of an envelope that does not parse, and counts it", () => {
    const batch = schema.parse({
      type: "EventBatch",
      version: 1,
      events: [
        { type: "A", n: 1 },
        { type: "A", n: "two" },
      ],
    });
    const { events, invalid } = unbatch([delivery(batch)], Event);
    expect(events.map((e) => e.value.n)).toEqual([1]);
    expect(invalid).toBe(1);
  });
});

describe("outcomesOfDeliveries", () => {
  const events = [
    { delivery: 0 },
    { delivery: 1 },
    { delivery: 1 },
    { delivery: 2 },
    { delivery: 2 },
  ];

  it("acks an envelope whose events are all acked or terminated, and keeps a single delivery's own outcome", () => {
    const outcomes = outcomesOfDeliveries(3, events, [term("bad"), ACK, term("bad"), ACK, ACK]);
    expect(outcomes).toEqual([term("bad"), ACK, ACK]);
  });

  it("retries a whole envelope when one of its events must be retried, at the soonest delay", () => {
    const outcomes = outcomesOfDeliveries(3, events, [ACK, nak(5_000), nak(500), ACK, term("x")]);
    expect(outcomes).toEqual([ACK, nak(500), ACK]);
  });
});
