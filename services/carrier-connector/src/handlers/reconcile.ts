import type { SubmitOrder } from "@smsgw/contracts";
import { type Logger, nak, type Outcome } from "@smsgw/service-kit";
import { type ConnectorStore, type SubmissionKey, submissionKey } from "../db/store.ts";
import {
  type ConnectorEvent,
  type SubmitFailure,
  submitFailedEvent,
  submittedEvent,
} from "../domain/events.ts";
import { reconcileClaim } from "../domain/reconcile.ts";

export interface ReconcileDeps {
  store: Pick<ConnectorStore, "findClaims" | "findPartsOfMessages" | "recordFailures">;
  log: Logger;
  now(): Date;
  /** A claim without an outcome older than this is decided "outcome unknown". */
  staleAfterMs: number;
  /** Whether a replica is alive (its lease heartbeat fresh); absent: every claimer counts as alive. */
  isReplicaAlive?(replica: string): boolean;
}

export interface Reconciled {
  events: ConnectorEvent[];
  /** Deliveries not to ack now (their claim is young, or was given back meanwhile). */
  outcomes: Map<number, Outcome>;
}

/**
 * Submit orders whose submission was already claimed (a redelivery, a duplicate publish): their
 * outcome is unknown to this delivery. Never submits. Says again what the claim ended in
 * (MessageSubmitted from the stored parts, or its recorded SubmitFailed; the deterministic event
 * ids make a repeat harmless), waits while the claim is young, and decides a stale unfinished
 * one "failed, outcome unknown" once: recorded first, so every replica says the same (ADR 0008).
 */
export async function reconcileClaimed(
  items: ReadonlyArray<{ index: number; order: SubmitOrder }>,
  deps: ReconcileDeps,
): Promise<Reconciled> {
  const out: Reconciled = { events: [], outcomes: new Map() };
  if (items.length === 0) return out;
  const now = deps.now();
  const keyOf = (r: SubmitOrder): SubmissionKey => ({
    messageId: r.messageId,
    attempt: r.data.attempt,
  });
  const claims = await deps.store.findClaims(items.map((i) => keyOf(i.order)));
  const parts = await deps.store.findPartsOfMessages([
    ...new Set(items.map((i) => i.order.messageId)),
  ]);
  const decided: Array<SubmissionKey & { failure: SubmitFailure }> = [];
  for (const { index, order } of items) {
    const claim = claims.get(submissionKey(keyOf(order)));
    if (!claim) {
      // Given back since (nothing reached the carrier): it is claimed afresh next time.
      out.outcomes.set(index, nak(1_000));
      continue;
    }
    if (claim.carrierId !== order.data.carrierId) {
      // The attempt was handed to another carrier: routing decided a redelivered failure
      // again, past JetStream's de-duplication window, and chose differently. That order's
      // own delivery says its outcome; this one says nothing and is dropped.
      deps.log.warn(
        { messageId: order.messageId, attempt: order.data.attempt, claimedFor: claim.carrierId },
        "attempt already handed to another carrier: order dropped",
      );
      continue;
    }
    const known = parts.filter(
      (p) => p.messageId === order.messageId && p.carrierId === order.data.carrierId,
    );
    const claimerGone =
      claim.claimedBy !== null &&
      deps.isReplicaAlive !== undefined &&
      !deps.isReplicaAlive(claim.claimedBy);
    const decision = reconcileClaim(claim, known, now, deps.staleAfterMs, claimerGone);
    const fields = { messageId: order.messageId, attempt: order.data.attempt };
    switch (decision.kind) {
      case "submitted":
        out.events.push(submittedEvent(order, decision.parts, now));
        break;
      case "failed":
        out.events.push(submitFailedEvent(order, decision.failure, now));
        break;
      case "wait":
        deps.log.info(fields, "already claimed, no outcome yet: looking again later");
        out.outcomes.set(index, nak(decision.delayMs));
        break;
      case "unknown":
        deps.log.warn({ ...fields, detail: decision.failure.detail }, "outcome unknown");
        decided.push({ ...keyOf(order), failure: decision.failure });
        out.events.push(submitFailedEvent(order, decision.failure, now));
        break;
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown reconciliation ${JSON.stringify(unreachable)}`);
      }
    }
  }
  if (decided.length > 0) await deps.store.recordFailures(decided);
  return out;
}
