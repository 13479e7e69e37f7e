import { describe, expect, it } from "vitest";
import { fateOfCopy, type StreamConsumer, subjectMatches } from "./stream-erasure.ts";

const consumer = (name: string, filter: string, ackFloor: number): StreamConsumer => ({
  name,
  filterSubjects: [filter],
  ackFloor,
});

// The event stream's readers as a gateway runs them (a few of them).
const readers = (floors: { store: number; routing: number; pricing: number; dlr: number }) => [
  consumer("event-store", "t.evt.>", floors.store),
  consumer("routing-accepted", "t.evt.accepted", floors.routing),
  consumer("pricing-acceptance-log", "t.evt.accepted", floors.pricing),
  consumer("dlr-dispatcher", "t.status.changed", floors.dlr),
  consumer("dlr-dispatcher-balance", "t.status.balance_low", 3),
];

describe("when a stream copy of erased content may be deleted", () => {
  it("when every consumer of its subject has acked past it, it is erased, whatever the others' floors", () => {
    const copy = { seq: 100, subject: "t.evt.accepted" };
    // The dispatcher is far behind, but never delivers an accepted event.
    const all = readers({ store: 100, routing: 140, pricing: 100, dlr: 20 });
    expect(fateOfCopy(copy, 1, all)).toBe("erase");
  });

  it("when one consumer of its subject has not acked it yet, it waits, so the envelope's other events still reach that consumer", () => {
    const copy = { seq: 100, subject: "t.evt.accepted" };
    const all = readers({ store: 150, routing: 150, pricing: 99, dlr: 150 });
    expect(fateOfCopy(copy, 1, all)).toBe("wait");
  });

  it("when its sequence is below the stream's first, or the stream no longer has it, it is gone", () => {
    const all = readers({ store: 0, routing: 0, pricing: 0, dlr: 0 });
    expect(fateOfCopy({ seq: 100, subject: "t.evt.accepted" }, 101, all)).toBe("gone");
    expect(fateOfCopy({ seq: 100, subject: null }, 1, all)).toBe("gone");
  });

  it("when no consumer reads its subject, it waits (nobody can say it was read) until the stream drops it", () => {
    const all = readers({ store: 500, routing: 500, pricing: 500, dlr: 500 });
    expect(fateOfCopy({ seq: 100, subject: "t.submit.sim-a" }, 1, all)).toBe("wait");
    const withConnector = [...all, consumer("connector-submit-sim-a", "t.submit.sim-a", 100)];
    expect(fateOfCopy({ seq: 100, subject: "t.submit.sim-a" }, 1, withConnector)).toBe("erase");
  });

  it("when a consumer has no filter it reads every subject, and one with several filters reads each", () => {
    const copy = { seq: 100, subject: "t.status.changed" };
    const everything = { name: "audit", filterSubjects: [], ackFloor: 50 };
    expect(fateOfCopy(copy, 1, [everything])).toBe("wait");
    const several = {
      name: "both",
      filterSubjects: ["t.status.erased", "t.status.changed"],
      ackFloor: 99,
    };
    expect(fateOfCopy(copy, 1, [several])).toBe("wait");
    expect(fateOfCopy(copy, 1, [{ ...several, ackFloor: 100 }])).toBe("erase");
  });
});

describe("NATS subject matching", () => {
  it("when the filter has * it matches one token, > one or more at the end", () => {
    expect(subjectMatches("t.evt.>", "t.evt.accepted")).toBe(true);
    expect(subjectMatches("t.evt.>", "t.evt.routed.sim-a")).toBe(true);
    expect(subjectMatches("t.evt.>", "t.evt")).toBe(false);
    expect(subjectMatches("t.submit.*", "t.submit.sim-a")).toBe(true);
    expect(subjectMatches("t.submit.*", "t.submit.sim-a.x")).toBe(false);
    expect(subjectMatches("t.status.changed", "t.status.changed")).toBe(true);
    expect(subjectMatches("t.status.changed", "t.status.changed.x")).toBe(false);
    expect(subjectMatches("t.status.changed", "t.status")).toBe(false);
  });
});
