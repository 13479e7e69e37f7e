import { acceptanceVoid } from "@smsgw/contracts";

/**
 * What routing does with one accepted message it reads, before choosing a carrier. Pure: the
 * handler passes the copy's origin, whether it came in an envelope, JetStream's stored time
 * and the current time.
 *
 * - `void`: a doors' copy stored after its `publishBy` (ADR 0022): acked, never routed.
 * - `hold`: scheduled for later and alone: nak'd with this delay (at most the cap; it is held
 *   again when it comes back early).
 * - `hold_apart`: scheduled for later inside an envelope: put alone on routing's held subject
 *   (so that it does not hold its neighbours) and acked with the envelope.
 * - `route`: due: choose a carrier now.
 */
export type AcceptedStep =
  | { kind: "void" }
  | { kind: "hold"; delayMs: number }
  | { kind: "hold_apart" }
  | { kind: "route" };

/**
 * Where the copy came from: `doors` = `<p>.evt.accepted`, as a door published it, alone or in
 * an envelope; `held` = routing's own held copy (`<p>.routing.held`), always alone.
 */
export type AcceptedCopy = "doors" | "held";

export interface AcceptedInput {
  copy: AcceptedCopy;
  inEnvelope: boolean;
  data: { readonly sendAt?: string | null | undefined; readonly publishBy?: string | undefined };
  /** When JetStream stored the copy (ms, its clock); NaN when unknown. */
  storedAtMs: number;
  nowMs: number;
  holdCapMs: number;
}

export function acceptedStep(input: AcceptedInput): AcceptedStep {
  // The fence judges the doors' copies only. A held copy stands for an envelope's copy that
  // was stored in time (it is held apart only after passing this check), however late
  // routing stored it: it is never void.
  if (input.copy === "doors" && acceptanceVoid(input.data, input.storedAtMs))
    return { kind: "void" };
  const dueInMs = input.data.sendAt ? Date.parse(input.data.sendAt) - input.nowMs : 0;
  if (!(dueInMs > 0)) return { kind: "route" };
  if (input.inEnvelope) return { kind: "hold_apart" };
  return { kind: "hold", delayMs: Math.min(dueInMs, input.holdCapMs) };
}

/**
 * The held copy's `Nats-Msg-Id`: one per message, so an envelope delivered again holds it
 * once (within the stream's de-duplication window).
 */
export function heldCopyId(eventId: string): string {
  return `${eventId}:held`;
}
