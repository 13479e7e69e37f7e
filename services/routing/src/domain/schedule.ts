import { acceptanceVoid } from "@smsgw/contracts";

/**
 * What routing does with one accepted message it reads, before choosing a carrier. Pure: the
 * handler passes the copy's origin and JetStream's stored time.
 *
 * - `void`: a doors' copy stored after its `publishBy` (ADR 0022): acked, never routed.
 * - `schedule`: scheduled (a `sendAt`: in the future when it was accepted): stored in
 *   routing's table (`routing.scheduled`), then acked; the schedule's timer routes it when due.
 *   Nothing waits on a consumer (ADR 0027). It goes there even when due by now: another copy
 *   or an earlier delivery may have stored it already, or the account canceled it there
 *   (ADR 0030), and the table routes a message once, never one that was canceled.
 * - `route`: due: choose a carrier now.
 */
export type AcceptedStep = { kind: "void" } | { kind: "schedule" } | { kind: "route" };

/**
 * Where the copy came from: `doors` = `<p>.evt.accepted`, as a door published it, alone or in
 * an envelope; `held` = a copy an older routing held apart on `<p>.routing.held` (drained after
 * an upgrade: such copies are no longer written).
 */
export type AcceptedCopy = "doors" | "held";

export interface AcceptedInput {
  copy: AcceptedCopy;
  data: { readonly sendAt?: string | null | undefined; readonly publishBy?: string | undefined };
  /** When JetStream stored the copy (ms, its clock); NaN when unknown. */
  storedAtMs: number;
}

export function acceptedStep(input: AcceptedInput): AcceptedStep {
  // The fence judges the doors' copies only. A held copy stands for an envelope's copy that
  // was stored in time (it was held apart only after passing this check), however late
  // routing stored it: it is never void.
  if (input.copy === "doors" && acceptanceVoid(input.data, input.storedAtMs))
    return { kind: "void" };
  return input.data.sendAt ? { kind: "schedule" } : { kind: "route" };
}
