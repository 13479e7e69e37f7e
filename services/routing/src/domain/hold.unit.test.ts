import { describe, expect, it } from "vitest";
import { type AcceptedInput, acceptedStep, heldCopyId } from "./hold.ts";

const NOW = Date.parse("2026-12-06T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

/** A copy read now, stored a moment ago, unscheduled and without a fence. */
function input(overrides: Partial<AcceptedInput> = {}): AcceptedInput {
  return {
    copy: "doors",
    inEnvelope: false,
    data: {},
    storedAtMs: NOW - 10,
    nowMs: NOW,
    holdCapMs: 3_600_000,
    ...overrides,
  };
}

describe("what routing does with an accepted message", () => {
  it("when a message is not scheduled, it is routed now", () => {
    expect(acceptedStep(input())).toEqual({ kind: "route" });
    expect(acceptedStep(input({ inEnvelope: true }))).toEqual({ kind: "route" });
  });

  it("when a scheduled message is due (or past due), it is routed now", () => {
    expect(acceptedStep(input({ data: { sendAt: at(0) } }))).toEqual({ kind: "route" });
    expect(acceptedStep(input({ data: { sendAt: at(-5_000) }, copy: "held" }))).toEqual({
      kind: "route",
    });
  });

  it("when a scheduled message arrives alone before it is due, it is held until due, at most the cap at a time", () => {
    expect(acceptedStep(input({ data: { sendAt: at(2_000) } }))).toEqual({
      kind: "hold",
      delayMs: 2_000,
    });
    expect(acceptedStep(input({ data: { sendAt: at(2_000) }, holdCapMs: 500 }))).toEqual({
      kind: "hold",
      delayMs: 500,
    });
  });

  it("when a scheduled message arrives in an envelope before it is due, it is held apart, so that its neighbours are not held with it", () => {
    expect(acceptedStep(input({ data: { sendAt: at(2_000) }, inEnvelope: true }))).toEqual({
      kind: "hold_apart",
    });
  });

  it("when routing's held copy comes back before it is due, it is held again", () => {
    expect(acceptedStep(input({ copy: "held", data: { sendAt: at(60_000) } }))).toEqual({
      kind: "hold",
      delayMs: 60_000,
    });
  });

  it("when a doors' copy was stored after its publishBy, it is void, scheduled or not, alone or in an envelope (ADR 0022)", () => {
    const late = { publishBy: at(-1_000) };
    expect(acceptedStep(input({ data: late }))).toEqual({ kind: "void" });
    expect(acceptedStep(input({ data: { ...late, sendAt: at(2_000) } }))).toEqual({
      kind: "void",
    });
    expect(acceptedStep(input({ data: late, inEnvelope: true }))).toEqual({ kind: "void" });
  });

  it("when a doors' copy was stored before its publishBy, it stands, even read after it", () => {
    const data = { publishBy: at(-1_000), sendAt: at(2_000) };
    expect(acceptedStep(input({ data, storedAtMs: NOW - 5_000, inEnvelope: true }))).toEqual({
      kind: "hold_apart",
    });
  });

  it("when routing's held copy was stored after its publishBy, it is not void: it stands for the envelope's copy stored in time", () => {
    const data = { publishBy: at(-60_000), sendAt: at(1_000) };
    expect(acceptedStep(input({ copy: "held", data }))).toEqual({ kind: "hold", delayMs: 1_000 });
    expect(acceptedStep(input({ copy: "held", data: { publishBy: at(-60_000) } }))).toEqual({
      kind: "route",
    });
  });

  it("when a held copy is made twice of one message, it has the same de-duplication id", () => {
    expect(heldCopyId("msg_1:accepted")).toBe("msg_1:accepted:held");
    expect(heldCopyId("msg_1:accepted")).toBe(heldCopyId("msg_1:accepted"));
    expect(heldCopyId("msg_2:accepted")).not.toBe(heldCopyId("msg_1:accepted"));
  });
});
