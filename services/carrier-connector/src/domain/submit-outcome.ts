import { classifyCommandStatus, commandStatusName } from "@smsgw/smpp";

/** What became of one part's submit_sm. */
export type PartResult =
  /** submit_sm_resp OK with the carrier's message id. */
  | { kind: "accepted"; part: number; carrierMessageId: string }
  /** submit_sm_resp (or generic_nack) with an error command_status. */
  | { kind: "refused"; part: number; commandStatus: number }
  /**
   * generic_nack with command_status 0: the SMSC did not take the PDU (a nack is never an
   * acceptance) and gave no reason, a broken SMSC's answer. Not taken, so safe to send again.
   */
  | { kind: "nacked"; part: number; detail: string }
  /** Sent, but no answer: response timeout or the connection closed. The carrier may have it. */
  | { kind: "unknown"; part: number; detail: string }
  /** Never left this process (no bound session any more, or unbinding). */
  | { kind: "unsent"; part: number; detail: string }
  /** Could not be encoded as a PDU: it never will be. */
  | { kind: "invalid"; part: number; detail: string };

export interface AcceptedPart {
  part: number;
  carrierMessageId: string;
}

export type SubmitDecision =
  | { kind: "submitted"; parts: AcceptedPart[] }
  | {
      kind: "failed";
      retryable: boolean;
      commandStatus: number | null;
      detail: string;
      /** Parts the carrier took anyway: their ids are stored so their receipts still map. */
      accepted: AcceptedPart[];
    }
  /** Nothing reached the carrier: give the claim back and let the event come again. */
  | { kind: "release"; detail: string };

/**
 * Judges a message from its parts' results. The rule is "a submit once per part": a message
 * is only offered for resubmission (retryable) when the carrier surely took none of it.
 * - every part accepted: submitted.
 * - a part refused: failed; retryable when the status says "retry later" or "the bind is the
 *   problem" (classifyCommandStatus) and no part was accepted or got no answer; permanent and
 *   "unclear" statuses are not.
 * - a part without an answer (timeout, closed after sending): failed, not retryable, the
 *   outcome is unknown (resubmitting may deliver it twice). A later issue reconciles.
 * - a part nacked without a reason (generic_nack, command_status 0): failed, retryable (on
 *   another carrier) when no part was accepted or is unknown: the SMSC took none of it. Not
 *   "permanent" (nothing says the message is at fault), and never "submitted": 0 in a nack is
 *   no "OK". commandStatus null, as the SMSC gave no status that means anything.
 * - nothing sent at all: release; some parts sent and accepted, the rest never sent: failed,
 *   not retryable (the accepted parts would be sent twice).
 */
export function decideSubmitOutcome(results: readonly PartResult[]): SubmitDecision {
  const total = results.length;
  const accepted: AcceptedPart[] = [];
  for (const r of results) {
    if (r.kind === "accepted")
      accepted.push({ part: r.part, carrierMessageId: r.carrierMessageId });
  }
  if (accepted.length === total) return { kind: "submitted", parts: accepted };
  const alsoAccepted =
    accepted.length === 0
      ? ""
      : `; part(s) ${accepted.map((a) => a.part).join(", ")} were accepted and are not resubmitted`;

  // A part sent without an answer may be at the carrier: the message is not offered again,
  // whatever another part's refusal says (it would send that part twice).
  const mayHaveAny = accepted.length > 0 || results.some((r) => r.kind === "unknown");
  const refused = results.find((r) => r.kind === "refused");
  if (refused) {
    const kind = classifyCommandStatus(refused.commandStatus);
    const retryable = !mayHaveAny && (kind === "retry" || kind === "session");
    return {
      kind: "failed",
      retryable,
      commandStatus: refused.commandStatus,
      detail: `part ${refused.part}/${total} refused: ${commandStatusName(refused.commandStatus)} (${kind})${alsoAccepted}`,
      accepted,
    };
  }
  const invalid = results.find((r) => r.kind === "invalid");
  if (invalid) {
    return {
      kind: "failed",
      retryable: false,
      commandStatus: null,
      detail: `part ${invalid.part}/${total} cannot be sent: ${invalid.detail}${alsoAccepted}`,
      accepted,
    };
  }
  const unknown = results.find((r) => r.kind === "unknown");
  if (unknown) {
    return {
      kind: "failed",
      retryable: false,
      commandStatus: null,
      detail:
        `outcome unknown: part ${unknown.part}/${total} got no answer (${unknown.detail}); ` +
        `not resubmitted, the carrier may have taken it${alsoAccepted}`,
      accepted,
    };
  }
  const nacked = results.find((r) => r.kind === "nacked");
  if (nacked) {
    return {
      kind: "failed",
      retryable: !mayHaveAny,
      commandStatus: null,
      detail: `part ${nacked.part}/${total} not accepted: ${nacked.detail}${alsoAccepted}`,
      accepted,
    };
  }
  const unsent = results.find((r) => r.kind === "unsent");
  const why = unsent?.detail ?? "not sent";
  if (accepted.length === 0) return { kind: "release", detail: why };
  return {
    kind: "failed",
    retryable: false,
    commandStatus: null,
    detail: `part ${unsent?.part ?? "?"}/${total} was not sent (${why})${alsoAccepted}`,
    accepted,
  };
}
