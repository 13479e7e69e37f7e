import { randomUUID } from "node:crypto";
import type { MessageEvent, SubmitOrder } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
  errorMessage,
  type Logger,
  nak,
  type Outcome,
} from "@smsgw/service-kit";
import {
  normalizeCarrierMessageId,
  SmppConnectionClosedError,
  SmppEncodeError,
  SmppGenericNackError,
  SmppSessionStateError,
  smppAbsoluteTime,
  submitSm,
} from "@smsgw/smpp";
import {
  type Claim,
  type ConnectorStore,
  type PartRow,
  type SubmissionKey,
  submissionKey,
} from "../db/store.ts";
import { backlogRetryDelayMs, roomFor } from "../domain/backlog.ts";
import { unboundRetryDelayMs } from "../domain/backoff.ts";
import {
  type ConnectorEvent,
  orderKey,
  type SubmitFailure,
  submitFailedEvent,
  submittedEvent,
  withOrderSeqs,
} from "../domain/events.ts";
import type { SubmitPart } from "../domain/parts.ts";
import type { ScoreCounter } from "../domain/score-counter.ts";
import {
  type AcceptedPart,
  decideSubmitOutcome,
  type PartResult,
} from "../domain/submit-outcome.ts";
import { planSubmit, type SubmitPlan } from "../domain/submit-plan.ts";
import { validUntilFor } from "../domain/validity.ts";
import type { CarrierLink } from "./carrier-link.ts";
import { reconcileClaimed } from "./reconcile.ts";
import { withRetries } from "./retry.ts";

type Plan = Extract<SubmitPlan, { ok: true }>;

export interface SubmitOrderDeps {
  links: ReadonlyMap<string, CarrierLink>;
  store: ConnectorStore;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
  /** The concatenation reference of a message to this destination: 0..65535 (udh8: its low byte). */
  refFor(destination: string): number;
  /** A carrier unbound this long: its messages fail over (SubmitFailed retryable) instead. */
  noBindFailoverMs: number;
  /** Another replica has a bind to this carrier up: wait for it rather than fail over. */
  boundElsewhere?(carrierId: string): boolean;
  /** A claim with no outcome older than this is decided "outcome unknown" (ADR 0008). */
  reconcileAfterMs: number;
  /** This replica's id, recorded with its claims. */
  replica?: string;
  /** Whether a replica is alive (lease heartbeats): a dead claimer's claim is decided at once. */
  isReplicaAlive?(replica: string): boolean;
  /** Counts submits and retryable refusals per carrier and score key (routing's scores). */
  counts?: ScoreCounter;
  /** The carrier ids of these parts are stored: receipts waiting for them may be looked up. */
  onPartsStored?(parts: readonly PartRow[]): void;
}

interface Candidate {
  index: number;
  order: SubmitOrder;
  link: CarrierLink;
  plan: Plan;
  validUntil: Date;
}

/** A SubmitFailed decided before any submit: claimed with the failure, so it is said once. */
interface Early {
  index: number;
  order: SubmitOrder;
  failure: SubmitFailure;
}

const REGISTERED_DELIVERY_FINAL = 0x01;

const keyOf = (order: SubmitOrder): SubmissionKey => ({
  messageId: order.messageId,
  attempt: order.data.attempt,
});

/**
 * Submits a batch of submit orders (routing's work items on `<p>.submit.<carrier>`):
 * 1. a redelivered order whose submission is claimed goes to reconciliation (whatever the
 *    carrier's state now); the rest is sorted: an unknown carrier or content that can never be
 *    sent (SubmitFailed), a carrier with no bound session (nak with a delay; SubmitFailed
 *    retryable once it has had none for a while and no other replica has one);
 * 2. claims them in one statement (the early failures with their failure recorded), so a
 *    redelivered order never submits twice: one already claimed is reconciled, never resubmitted;
 * 3. sends every part of every claimed message through the sessions' windows at once;
 * 4. stores the carrier ids of the accepted parts and the failures in one statement each, then
 *    publishes MessageSubmitted / SubmitFailed. A message none of whose parts left the process
 *    gives its claim back and comes again later.
 */
export function handleSubmitOrders(deps: SubmitOrderDeps) {
  /**
   * Claims, and when the statement fails gives back what it may have claimed before failing
   * (its answer lost as the database restarted: the rows can be there). Nothing was submitted
   * for them yet; left claimed, their redelivery would find them claimed with no outcome and
   * wait RECONCILE_AFTER_MS to end "outcome unknown", though no carrier ever saw them. If the
   * giving back fails too, that is still what happens: a delay, never a double submit.
   */
  async function claimOrGiveBack(claims: readonly Claim[]): Promise<Set<string>> {
    const token = randomUUID();
    try {
      return await deps.store.claim(claims, token);
    } catch (error) {
      await withRetries(() => deps.store.giveBack(claims, token), {
        attempts: 5,
        log: deps.log,
        what: "give back claims whose answer was lost",
      }).catch((giveBackError: unknown) => {
        deps.log.error(
          { err: errorMessage(giveBackError), claims: claims.length },
          "claims whose answer was lost not given back: they end outcome unknown",
        );
      });
      throw error;
    }
  }

  const { log } = deps;
  // Only what this delivery decided counts: a reconciled outcome was counted when decided.
  const count = (what: "submitted" | "refused", order: SubmitOrder, now: Date) =>
    deps.counts?.[what](order.data.carrierId, order.data.scoreKey, now.getTime());
  return async (batch: Delivery<SubmitOrder>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const outcomes: Outcome[] = batch.map(() => ACK);
    const events: ConnectorEvent[] = [];
    const candidates: Candidate[] = [];
    const early: Early[] = [];
    const toReconcile: Array<{ index: number; order: SubmitOrder }> = [];
    /** Parts each link may still be given in this batch (domain/backlog). */
    const rooms = new Map<CarrierLink, number>();
    let waitingForRoom = 0;
    const seen = new Set<string>();
    // Where each order's copy sits in the stream, for the events it ends in (ADR 0021).
    const seqs = new Map<string, number>();
    for (const { value, seq } of batch) {
      const key = orderKey(value.messageId, value.data.attempt);
      if (!seqs.has(key)) seqs.set(key, seq);
    }

    const redelivered = batch.filter((d) => d.deliveryCount > 1).map((d) => keyOf(d.value));
    const claimedBefore =
      redelivered.length > 0 ? await deps.store.findClaims(redelivered) : new Map();

    for (const [index, { value: order, deliveryCount }] of batch.entries()) {
      const key = submissionKey(keyOf(order));
      if (seen.has(key)) continue; // a copy in the same batch: the first one is handled
      seen.add(key);
      if (claimedBefore.has(key)) {
        toReconcile.push({ index, order });
        continue;
      }
      const link = deps.links.get(order.data.carrierId);
      if (!link) {
        const detail = `carrier "${order.data.carrierId}" is not configured in this connector`;
        early.push({ index, order, failure: { retryable: true, commandStatus: null, detail } });
        continue;
      }
      const plan = planSubmit(order.data, () => deps.refFor(order.data.to), {
        concat: link.carrier.concat,
        gsmDataCoding: link.carrier.gsmDataCoding,
        addressing: link.carrier.addressing,
      });
      if (!plan.ok) {
        const failure = { retryable: false, commandStatus: null, detail: plan.problem };
        early.push({ index, order, failure });
        continue;
      }
      if (plan.mismatch) log.warn({ messageId: order.messageId, detail: plan.mismatch }, "parts");
      if (!link.session()) {
        const unboundMs = link.unboundForMs(now.getTime());
        if (unboundMs >= deps.noBindFailoverMs && !deps.boundElsewhere?.(order.data.carrierId)) {
          // Routing picks another carrier rather than this one waiting for its bind.
          const detail = `no bind to carrier "${link.carrier.id}" for ${Math.round(unboundMs / 1000)} s`;
          early.push({ index, order, failure: { retryable: true, commandStatus: null, detail } });
        } else {
          outcomes[index] = nak(unboundRetryDelayMs(deliveryCount));
        }
        continue;
      }
      // The link's backlog is read once a batch; the orders before this one took from it.
      const room = rooms.get(link) ?? roomFor(link.backlog(now.getTime()));
      if (plan.parts.length > room) {
        // The carrier holds what it can send soon: this order waits in JetStream, unclaimed.
        outcomes[index] = nak(backlogRetryDelayMs(link.backlog(now.getTime())));
        waitingForRoom += 1;
        continue;
      }
      rooms.set(link, room - plan.parts.length);
      const validUntil = validUntilFor(order.data.validUntil, link.carrier.defaultValiditySec, now);
      candidates.push({ index, order, link, plan, validUntil });
    }
    if (waitingForRoom > 0) {
      log.info(
        { orders: waitingForRoom },
        "carrier backlog full; orders left in the stream for now",
      );
    }

    const claims = [
      ...candidates.map(({ order }) => ({
        ...keyOf(order),
        carrierId: order.data.carrierId,
        claimedBy: deps.replica,
      })),
      ...early.map(({ order, failure }) => ({
        ...keyOf(order),
        carrierId: order.data.carrierId,
        claimedBy: deps.replica,
        failure,
      })),
    ];
    const claimedAt = Date.now();
    const won = claims.length > 0 ? await claimOrGiveBack(claims) : new Set<string>();
    const isWon = (order: SubmitOrder) => won.has(submissionKey(keyOf(order)));
    for (const { index, order, failure } of early) {
      if (isWon(order)) {
        events.push(submitFailedEvent(order, failure, now));
        if (failure.retryable) count("refused", order, now);
      } else toReconcile.push({ index, order });
    }
    const claimed = candidates.filter(({ index, order }) => {
      if (isWon(order)) return true;
      toReconcile.push({ index, order });
      return false;
    });

    const [results, reconciled] = await Promise.all([
      Promise.all(claimed.map((c) => submitParts(c.link, c.plan, c.validUntil))),
      reconcileClaimed(toReconcile, {
        store: deps.store,
        log,
        now: deps.now,
        staleAfterMs: deps.reconcileAfterMs,
        ...(deps.isReplicaAlive ? { isReplicaAlive: deps.isReplicaAlive } : {}),
      }),
    ]);
    events.push(...reconciled.events);
    for (const [index, outcome] of reconciled.outcomes) outcomes[index] = outcome;

    const released: SubmissionKey[] = [];
    const partRows: PartRow[] = [];
    const failures: Array<SubmissionKey & { failure: SubmitFailure }> = [];
    for (const [i, candidate] of claimed.entries()) {
      const { order, link, plan, validUntil } = candidate;
      const decision = decideSubmitOutcome(results[i] ?? []);
      if (decision.kind === "release") {
        released.push(keyOf(order));
        outcomes[candidate.index] = nak(
          unboundRetryDelayMs(batch[candidate.index]?.deliveryCount ?? 1),
        );
        log.info({ messageId: order.messageId, detail: decision.detail }, "not sent; released");
        continue;
      }
      const accepted = decision.kind === "submitted" ? decision.parts : decision.accepted;
      // A part accepted with an empty message_id (some SMSCs) is stored too: no receipt can
      // find it, but the expiry sweep and reconciliation do, so its message still ends.
      for (const { part, carrierMessageId } of accepted) {
        partRows.push({
          carrierId: link.carrier.id,
          carrierMessageId: normalizeCarrierMessageId(carrierMessageId, link.carrier.idBase),
          rawId: carrierMessageId,
          validUntil,
          messageId: order.messageId,
          accountId: order.accountId,
          part,
          totalParts: plan.parts.reduce((sum, p) => sum + p.covers, 0),
          covers: plan.parts.find((p) => p.part === part)?.covers ?? 1,
          traceparent: order.trace?.traceparent ?? null,
          tracestate: order.trace?.tracestate ?? null,
          scoreKey: order.data.scoreKey,
        });
      }
      if (decision.kind === "submitted") {
        events.push(submittedEvent(order, coveredParts(decision.parts, plan), now));
        count("submitted", order, now);
      } else {
        log.warn({ messageId: order.messageId, detail: decision.detail }, "submit failed");
        const failure = {
          retryable: decision.retryable,
          commandStatus: decision.commandStatus,
          detail: decision.detail,
        };
        failures.push({ ...keyOf(order), failure });
        events.push(submitFailedEvent(order, failure, now));
        if (failure.retryable) count("refused", order, now);
      }
    }

    // Never sent: given back first, whatever happens to the recording below (held, they would
    // end "outcome unknown" once stale instead of being sent).
    if (released.length > 0) {
      await withRetries(() => deps.store.release(released), {
        attempts: 5,
        log,
        what: "release claims",
      }).catch((error: unknown) => {
        // They stay claimed: reconciliation ends them "outcome unknown" once the claim is stale.
        log.error({ err: error, released }, "claims of unsent messages could not be released");
      });
    }
    // The carrier has these parts now: store and publish them through an outage of the
    // database or NATS for most of the reconcile window from the claim (a redelivery meanwhile
    // finds them claimed and recent, and waits). Given up sooner, the ids would be lost and the
    // message ended "outcome unknown" and refunded while the carrier delivers it (ADR 0008).
    await withRetries(
      async () => {
        if (partRows.length > 0) await deps.store.recordParts(partRows);
        if (failures.length > 0) await deps.store.recordFailures(failures);
        if (events.length > 0) await publishEvents(deps.publisher, withOrderSeqs(events, seqs));
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        untilMs: Math.max(claimedAt + deps.reconcileAfterMs * 0.8, Date.now() + 10_000),
        maxDelayMs: 5_000,
        log,
        what: "record submits",
      },
    );
    if (partRows.length > 0) deps.onPartsStored?.(partRows);
    return outcomes;
  };
}

/**
 * MessageSubmitted only the event store reads: in batch envelopes (ADR 0009). SubmitFailed
 * keeps its own subject, routing consumes it.
 */
export async function publishEvents(
  publisher: EventPublisher,
  events: readonly ConnectorEvent[],
): Promise<void> {
  const batched: MessageEvent[] = [];
  const single: MessageEvent[] = [];
  for (const event of events) (event.type === "MessageSubmitted" ? batched : single).push(event);
  await Promise.all([
    batched.length > 0 ? publisher.publishBatch(batched) : undefined,
    single.length > 0 ? publisher.publishAll(single) : undefined,
  ]);
}

/**
 * The parts as the message counts them: a message_payload submit stands for every part, so
 * MessageSubmitted lists each (with the one carrier id) and the fold waits for all of them.
 */
function coveredParts(accepted: readonly AcceptedPart[], plan: Plan): AcceptedPart[] {
  return accepted.flatMap((a) => {
    const covers = plan.parts.find((p) => p.part === a.part)?.covers ?? 1;
    return Array.from({ length: covers }, (_, i) => ({
      part: a.part + i,
      carrierMessageId: a.carrierMessageId,
    }));
  });
}

/** Sends every part; each bind's window lets `windowSize` of them be in flight. */
function submitParts(link: CarrierLink, plan: Plan, validUntil: Date): Promise<PartResult[]> {
  const validityPeriod = smppAbsoluteTime(validUntil);
  return Promise.all(plan.parts.map((part) => submitPart(link, plan, part, validityPeriod)));
}

async function submitPart(
  link: CarrierLink,
  plan: Plan,
  part: SubmitPart,
  validityPeriod: string,
): Promise<PartResult> {
  const pdu = submitSm({
    sourceAddr: plan.source.addr,
    sourceAddrTon: plan.source.ton,
    sourceAddrNpi: plan.source.npi,
    destinationAddr: plan.destination.addr,
    destAddrTon: plan.destination.ton,
    destAddrNpi: plan.destination.npi,
    esmClass: part.esmClass,
    registeredDelivery: REGISTERED_DELIVERY_FINAL,
    validityPeriod,
    dataCoding: part.dataCoding,
    shortMessage: Buffer.from(
      part.shortMessage.buffer,
      part.shortMessage.byteOffset,
      part.shortMessage.byteLength,
    ),
    tlvs: part.tlvs,
  });
  try {
    const response = await link.submit(pdu);
    return response.commandStatus === 0
      ? { kind: "accepted", part: part.part, carrierMessageId: response.messageId }
      : { kind: "refused", part: part.part, commandStatus: response.commandStatus };
  } catch (error) {
    return partResultOfError(part.part, error);
  }
}

/** What a failed `session.request` means for the part: was it sent, and did the carrier say no? */
export function partResultOfError(part: number, error: unknown): PartResult {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof SmppGenericNackError) {
    // A nack says "not taken"; with status 0 it gives no reason (a broken SMSC): not a refusal
    // to classify by its status (0 would read as OK), a "not accepted" to send elsewhere.
    if (error.commandStatus === 0) {
      return { kind: "nacked", part, detail: "generic_nack with command_status 0 (no reason)" };
    }
    return { kind: "refused", part, commandStatus: error.commandStatus };
  }
  if (error instanceof SmppSessionStateError) return { kind: "unsent", part, detail };
  if (error instanceof SmppConnectionClosedError && !error.requestSent) {
    return { kind: "unsent", part, detail };
  }
  if (error instanceof SmppEncodeError) return { kind: "invalid", part, detail };
  // A response timeout, a close after sending, or anything unexpected: it may have reached
  // the carrier, so it is not resubmitted.
  return { kind: "unknown", part, detail };
}
