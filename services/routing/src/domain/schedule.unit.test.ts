import { describe, expect, it } from "vitest";
import { type AcceptedInput, acceptedStep } from "./schedule.ts";

const NOW = Date.parse("2026-12-06T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

/** A first delivery of a copy read now, stored a moment ago, unscheduled and without a fence. */
function input(overrides: Partial<AcceptedInput> = {}): AcceptedInput {
  return {
    copy: "doors",
    data: {},
    storedAtMs: NOW - 10,
    ...overrides,
  };
}

describe("what routing does with an accepted message", () => {
  it("when a message is not scheduled, it is routed now", () => {
    expect(acceptedStep(input())).toEqual({ kind: "route" });
  });

  it("when a scheduled message is read once due (or past due), it still goes to the table: another copy may be there, or canceled there (ADR 0030), and the timer takes it at once", () => {
    expect(acceptedStep(input({ data: { sendAt: at(0) } }))).toEqual({ kind: "schedule" });
    expect(acceptedStep(input({ data: { sendAt: at(-5_000) } }))).toEqual({ kind: "schedule" });
  });

  it("when a scheduled message arrives before it is due, it goes to the schedule's table (never held on the consumer)", () => {
    expect(acceptedStep(input({ data: { sendAt: at(2_000) } }))).toEqual({ kind: "schedule" });
    expect(acceptedStep(input({ data: { sendAt: at(30 * 86_400_000) } }))).toEqual({
      kind: "schedule",
    });
  });

  it("when a copy an older routing held apart arrives after the upgrade, it goes to the table, due or not", () => {
    expect(acceptedStep(input({ copy: "held", data: { sendAt: at(60_000) } }))).toEqual({
      kind: "schedule",
    });
    expect(acceptedStep(input({ copy: "held", data: { sendAt: at(-60_000) } }))).toEqual({
      kind: "schedule",
    });
  });

  it("when a doors' copy was stored after its publishBy, it is void, scheduled or not (ADR 0022)", () => {
    const late = { publishBy: at(-1_000) };
    expect(acceptedStep(input({ data: late }))).toEqual({ kind: "void" });
    expect(acceptedStep(input({ data: { ...late, sendAt: at(2_000) } }))).toEqual({
      kind: "void",
    });
  });

  it("when a doors' copy was stored before its publishBy, it stands, even read after it", () => {
    const data = { publishBy: at(-1_000), sendAt: at(2_000) };
    expect(acceptedStep(input({ data, storedAtMs: NOW - 5_000 }))).toEqual({ kind: "schedule" });
  });

  it("when a held copy was stored after its publishBy, it is not void: it stands for the envelope's copy stored in time", () => {
    const data = { publishBy: at(-60_000), sendAt: at(1_000) };
    expect(acceptedStep(input({ copy: "held", data }))).toEqual({ kind: "schedule" });
  });
});
