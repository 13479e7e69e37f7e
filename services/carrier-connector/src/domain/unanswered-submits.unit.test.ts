import { describe, expect, it } from "vitest";
import {
  afterSubmitAnswer,
  isUnresponsive,
  NONE_UNANSWERED,
  type SubmitAnswer,
  type UnansweredSubmits,
} from "./unanswered-submits.ts";

/** The session's count and the drops after these answers, in order. */
function given(threshold: number, ...answers: SubmitAnswer[]) {
  let state: UnansweredSubmits = NONE_UNANSWERED;
  const drops: number[] = [];
  answers.forEach((answer, i) => {
    const next = afterSubmitAnswer(state, answer, threshold);
    state = next.state;
    if (next.drop) drops.push(i);
  });
  return { state, drops };
}

describe("afterSubmitAnswer", () => {
  it("when `threshold` submits in a row time out, the bind is dropped at the last of them", () => {
    expect(given(3, "timedOut", "timedOut", "timedOut")).toEqual({
      state: { timeoutsInARow: 3 },
      drops: [2],
    });
  });

  it("when the rest of the window times out after the drop, it is not dropped again", () => {
    expect(given(2, "timedOut", "timedOut", "timedOut", "timedOut").drops).toEqual([1]);
  });

  it("when any submit is answered between timeouts, the count starts over and nothing is dropped", () => {
    expect(given(3, "timedOut", "timedOut", "answered", "timedOut", "timedOut")).toEqual({
      state: { timeoutsInARow: 2 },
      drops: [],
    });
  });

  it("when the threshold is 1, the first timeout drops the bind", () => {
    expect(given(1, "timedOut").drops).toEqual([0]);
  });

  it("when the threshold is 0, the bind is never dropped", () => {
    expect(given(0, "timedOut", "timedOut", "timedOut", "timedOut").drops).toEqual([]);
  });
});

describe("isUnresponsive", () => {
  const window = 60_000;

  it("when a bind was dropped for unanswered submits and nothing was answered since, the carrier is unresponsive", () => {
    expect(isUnresponsive(1_000, undefined, 2_000, window)).toBe(true);
    expect(isUnresponsive(1_000, 500, 2_000, window)).toBe(true);
  });

  it("when a submit was answered after the drop, it is not", () => {
    expect(isUnresponsive(1_000, 1_500, 2_000, window)).toBe(false);
  });

  it("when the drop is older than the window, or there was none, it is not", () => {
    expect(isUnresponsive(1_000, undefined, 1_000 + window, window)).toBe(false);
    expect(isUnresponsive(undefined, undefined, 2_000, window)).toBe(false);
  });
});
