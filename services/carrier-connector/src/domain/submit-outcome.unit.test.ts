import { CommandStatus } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { decideSubmitOutcome, type PartResult } from "./submit-outcome.ts";

const ok = (part: number, id = `id${part}`): PartResult => ({
  kind: "accepted",
  part,
  carrierMessageId: id,
});
const refused = (part: number, commandStatus: number): PartResult => ({
  kind: "refused",
  part,
  commandStatus,
});

const nacked = (part: number): PartResult => ({
  kind: "nacked",
  part,
  detail: "generic_nack with command_status 0 (no reason)",
});

describe("decideSubmitOutcome", () => {
  it("when every part is accepted, the message is submitted with each part's id", () => {
    expect(decideSubmitOutcome([ok(1), ok(2)])).toEqual({
      kind: "submitted",
      parts: [
        { part: 1, carrierMessageId: "id1" },
        { part: 2, carrierMessageId: "id2" },
      ],
    });
  });

  it("when the carrier throttles the only part, it failed and may be retried", () => {
    const decision = decideSubmitOutcome([refused(1, CommandStatus.ESME_RTHROTTLED)]);
    expect(decision).toMatchObject({
      kind: "failed",
      retryable: true,
      commandStatus: 0x58,
    });
  });

  it("when the carrier refuses the destination, it failed for good", () => {
    const decision = decideSubmitOutcome([refused(1, CommandStatus.ESME_RINVDSTADR)]);
    expect(decision).toMatchObject({ kind: "failed", retryable: false, commandStatus: 0x0b });
    expect(decision.kind === "failed" && decision.detail).toMatch(/ESME_RINVDSTADR/);
  });

  it("when the status is unclear (ESME_RSUBMITFAIL), it is not retried: it may be delivered", () => {
    expect(decideSubmitOutcome([refused(1, CommandStatus.ESME_RSUBMITFAIL)])).toMatchObject({
      retryable: false,
    });
  });

  it("when one part was accepted and another throttled, it is not retried and keeps the accepted id", () => {
    const decision = decideSubmitOutcome([ok(1), refused(2, CommandStatus.ESME_RTHROTTLED)]);
    expect(decision).toMatchObject({
      kind: "failed",
      retryable: false,
      accepted: [{ part: 1, carrierMessageId: "id1" }],
    });
  });

  it("when one part is refused for now (ESME_RSYSERR) and another got no answer, it is not retried: the unanswered part may be at the carrier", () => {
    const decision = decideSubmitOutcome([
      refused(1, CommandStatus.ESME_RSYSERR),
      { kind: "unknown", part: 2, detail: "no response within 10000 ms" },
    ]);
    expect(decision).toMatchObject({ kind: "failed", retryable: false });
  });

  it("when a part got no answer, the outcome is unknown: failed, not retryable, no status", () => {
    const decision = decideSubmitOutcome([
      ok(1),
      { kind: "unknown", part: 2, detail: "no response within 10000 ms" },
    ]);
    expect(decision).toMatchObject({ kind: "failed", retryable: false, commandStatus: null });
    expect(decision.kind === "failed" && decision.detail).toMatch(/^outcome unknown/);
  });

  it("when the only part got generic_nack with command_status 0, it failed and may be retried elsewhere: the SMSC took none of it", () => {
    const decision = decideSubmitOutcome([nacked(1)]);
    expect(decision).toMatchObject({ kind: "failed", retryable: true, commandStatus: null });
    expect(decision.kind === "failed" && decision.detail).toMatch(/not accepted: generic_nack/);
  });

  it("when a part got generic_nack 0 and another was accepted or got no answer, it is not retried", () => {
    expect(decideSubmitOutcome([ok(1), nacked(2)])).toMatchObject({
      kind: "failed",
      retryable: false,
      accepted: [{ part: 1, carrierMessageId: "id1" }],
    });
    const unknown: PartResult = { kind: "unknown", part: 1, detail: "no response" };
    expect(decideSubmitOutcome([unknown, nacked(2)])).toMatchObject({
      kind: "failed",
      retryable: false,
    });
  });

  it("when nothing was sent, the claim is released", () => {
    expect(
      decideSubmitOutcome([
        { kind: "unsent", part: 1, detail: "connection closed" },
        { kind: "unsent", part: 2, detail: "connection closed" },
      ]),
    ).toEqual({ kind: "release", detail: "connection closed" });
  });

  it("when some parts were accepted and the rest never sent, it failed without retry", () => {
    expect(
      decideSubmitOutcome([ok(1), { kind: "unsent", part: 2, detail: "unbinding" }]),
    ).toMatchObject({ kind: "failed", retryable: false, accepted: [{ part: 1 }] });
  });
});
