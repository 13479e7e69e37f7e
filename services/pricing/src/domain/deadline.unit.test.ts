import { describe, expect, it } from "vitest";
import { ANSWER_MARGIN_MS, chargeDeadline, splitByDeadline } from "./deadline.ts";

describe("an authorize request's deadline", () => {
  const arrivedAt = 1_000_000;
  it("when the door says when it stops waiting, the charge must be written a margin before", () => {
    expect(chargeDeadline({ arrivedAt, commitTimeoutMs: 4_000, answerBy: arrivedAt + 3_000 })).toBe(
      arrivedAt + 3_000 - ANSWER_MARGIN_MS,
    );
  });
  it("when the door would wait longer than pricing's commit timeout, the commit timeout bounds it", () => {
    expect(
      chargeDeadline({ arrivedAt, commitTimeoutMs: 4_000, answerBy: arrivedAt + 60_000 }),
    ).toBe(arrivedAt + 4_000);
  });
  it("when a door of the version before says nothing, the commit timeout bounds it", () => {
    expect(chargeDeadline({ arrivedAt, commitTimeoutMs: 4_000, answerBy: undefined })).toBe(
      arrivedAt + 4_000,
    );
  });
});

describe("a batch about to be decided", () => {
  const now = 1_000_000;
  it("when some requests' deadlines have passed, they are set apart and the others are written by the earliest of theirs", () => {
    const late = { id: "late", deadline: now };
    const soon = { id: "soon", deadline: now + 100 };
    const later = { id: "later", deadline: now + 900 };
    expect(splitByDeadline([later, late, soon], now)).toEqual({
      expired: [late],
      live: [later, soon],
      deadline: now + 100,
    });
  });
  it("when every deadline has passed, nothing is left to decide", () => {
    expect(splitByDeadline([{ deadline: now - 1 }], now)).toEqual({
      expired: [{ deadline: now - 1 }],
      live: [],
      deadline: undefined,
    });
  });
});
