import { acceptanceVoid } from "@smsgw/contracts";

/**
 * What routing does with one accepted message it reads, before choosing a carrier. Pure: the
 * handler passes the copy's origin, JetStream's stored time, the delivery count and the
 * current time.
 *
 * - `void`: a doors' copy stored after its `publishBy` (ADR 0022): acked, never routed.
 * - `schedule`: scheduled for later: stored in routing's table (`routing.scheduled`), then
 *   acked; the schedule's timer routes it when due. Nothing waits on a consumer (ADR 0027).
 *   A redelivered scheduled message goes there
 *   even when due by now: its first delivery may have stored it already, and the table
 *   routes a message once.
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
  /** 1 on the first delivery. */
  deliveryCount: number;
  nowMs: number;
}

export function acceptedStep(input: AcceptedInput): AcceptedStep {
  // The fence judges the doors' copies only. A held copy stands for an envelope's copy that
  // was stored in time (it was held apart only after passing this check), however late
  // routing stored it: it is never void.
  if (input.copy === "doors" && acceptanceVoid(input.data, input.storedAtMs))
    return { kind: "void" };
  if (!input.data.sendAt) return { kind: "route" };
  const dueInMs = Date.parse(input.data.sendAt) - input.nowMs;
  if (dueInMs > 0 || input.deliveryCount > 1 || input.copy === "held") return { kind: "schedule" };
  return { kind: "route" };
}
