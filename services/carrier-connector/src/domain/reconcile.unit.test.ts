import { describe, expect, it } from "vitest";
import { reconcileClaim } from "./reconcile.ts";

const now = new Date("2026-11-25T10:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const part = (n: number, total: number, id: string, covers = 1) => ({
  part: n,
  covers,
  totalParts: total,
  carrierMessageId: id,
});
const STALE = 600_000;

describe("reconcileClaim", () => {
  it("when the replica that claimed is gone, a young unfinished claim is decided at once, not waited on", () => {
    const young = { claimedAt: ago(5_000), failure: null };
    expect(reconcileClaim(young, [], now, STALE).kind).toBe("wait");
    const decision = reconcileClaim(young, [], now, STALE, true);
    expect(decision.kind).toBe("unknown");
    if (decision.kind === "unknown") {
      expect(decision.failure.retryable).toBe(false);
      expect(decision.failure.detail).toMatch(/its replica died/);
    }
    // Parts already known still say "submitted": a dead claimer changes only the waiting.
    expect(reconcileClaim(young, [part(1, 1, "a")], now, STALE, true).kind).toBe("submitted");
  });

  it("when the claim recorded its failure, that failure is said again", () => {
    const failure = { retryable: true, commandStatus: null, detail: "not configured" };
    expect(reconcileClaim({ claimedAt: ago(1), failure }, [], now, STALE)).toEqual({
      kind: "failed",
      failure,
    });
  });

  it("when every part has a carrier id, MessageSubmitted is said again with them in order", () => {
    const parts = [part(2, 3, "b"), part(1, 3, "a"), part(3, 3, "c")];
    expect(reconcileClaim({ claimedAt: ago(1), failure: null }, parts, now, STALE)).toEqual({
      kind: "submitted",
      parts: [
        { part: 1, carrierMessageId: "a" },
        { part: 2, carrierMessageId: "b" },
        { part: 3, carrierMessageId: "c" },
      ],
    });
  });

  it("when one message_payload id covers every part, each part gets that id", () => {
    const decision = reconcileClaim(
      { claimedAt: ago(1), failure: null },
      [part(1, 2, "p", 2)],
      now,
      STALE,
    );
    expect(decision).toMatchObject({ kind: "submitted", parts: [{ part: 1 }, { part: 2 }] });
  });

  it("when parts are missing and the claim is young, it waits (the first submit may still run)", () => {
    const decision = reconcileClaim(
      { claimedAt: ago(595_000), failure: null },
      [part(1, 2, "a")],
      now,
      STALE,
    );
    expect(decision).toEqual({ kind: "wait", delayMs: 5_000 });
    expect(reconcileClaim({ claimedAt: ago(0), failure: null }, [], now, STALE)).toEqual({
      kind: "wait",
      delayMs: 30_000,
    });
  });

  it("when parts are missing and the claim is stale, it ends failed, not retryable, unknown", () => {
    const decision = reconcileClaim(
      { claimedAt: ago(STALE), failure: null },
      [part(1, 2, "a")],
      now,
      STALE,
    );
    expect(decision).toMatchObject({
      kind: "unknown",
      failure: { retryable: false, commandStatus: null },
    });
    expect(decision.kind === "unknown" && decision.failure.detail).toMatch(
      /outcome unknown.*1 part\(s\).*not resubmitted/,
    );
  });
});
