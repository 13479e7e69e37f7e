import type { EventOf } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
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
  submitSm,
} from "@smsgw/smpp";
import {
  type ConnectorStore,
  type PartRow,
  type SubmissionKey,
  submissionKey,
} from "../db/store.ts";
import { unboundRetryDelayMs } from "../domain/backoff.ts";
import {
  type ConnectorEvent,
  type SubmitFailure,
  submitFailedEvent,
  submittedEvent,
} from "../domain/events.ts";
import type { SubmitPart } from "../domain/parts.ts";
import {
  type AcceptedPart,
  decideSubmitOutcome,
  type PartResult,
} from "../domain/submit-outcome.ts";
import { planSubmit, type SubmitPlan } from "../domain/submit-plan.ts";
import { smppAbsoluteTime, validUntilFor } from "../domain/validity.ts";
import type { CarrierLink } from "./carrier-link.ts";
import { reconcileClaimed } from "./reconcile.ts";
import { withRetries } from "./retry.ts";

type Routed = EventOf<"MessageRouted">;
type Plan = Extract<SubmitPlan, { ok: true }>;

export interface RoutedDeps {
  links: ReadonlyMap<string, CarrierLink>;
  store: ConnectorStore;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
  /** The concatenation reference of a message: 0..65535 (udh8 uses its low byte). */
  randomRef(): number;
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
}

interface Candidate {
  index: number;
  routed: Routed;
  link: CarrierLink;
  plan: Plan;
  validUntil: Date;
}

/** A SubmitFailed decided before any submit: claimed with the failure, so it is said once. */
interface Early {
  index: number;
  routed: Routed;
  failure: SubmitFailure;
}

const REGISTERED_DELIVERY_FINAL = 0x01;

const keyOf = (routed: Routed): SubmissionKey => ({
  messageId: routed.messageId,
  attempt: routed.data.attempt,
});

/**
 * Submits a batch of routed messages:
 * 1. a redelivered event whose submission is claimed goes to reconciliation (whatever the
 *    carrier's state now); the rest is sorted: an unknown carrier or content that can never be
 *    sent (SubmitFailed), a carrier with no bound session (nak with a delay; SubmitFailed
 *    retryable once it has had none for a while and no other replica has one);
 * 2. claims them in one statement (the early failures with their failure recorded), so a
 *    redelivered event never submits twice: one already claimed is reconciled, never resubmitted;
 * 3. sends every part of every claimed message through the sessions' windows at once;
 * 4. stores the carrier ids of the accepted parts and the failures in one statement each, then
 *    publishes MessageSubmitted / SubmitFailed. A message none of whose parts left the process
 *    gives its claim back and comes again later.
 */
export function handleRouted(deps: RoutedDeps) {
  const { log } = deps;
  return async (batch: Delivery<Routed>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const outcomes: Outcome[] = batch.map(() => ACK);
    const events: ConnectorEvent[] = [];
    const candidates: Candidate[] = [];
    const early: Early[] = [];
    const toReconcile: Array<{ index: number; routed: Routed }> = [];
    const seen = new Set<string>();

    const redelivered = batch.filter((d) => d.deliveryCount > 1).map((d) => keyOf(d.value));
    const claimedBefore =
      redelivered.length > 0 ? await deps.store.findClaims(redelivered) : new Map();

    for (const [index, { value: routed, deliveryCount }] of batch.entries()) {
      const key = submissionKey(keyOf(routed));
      if (seen.has(key)) continue; // a copy in the same batch: the first one is handled
      seen.add(key);
      if (claimedBefore.has(key)) {
        toReconcile.push({ index, routed });
        continue;
      }
      const link = deps.links.get(routed.data.carrierId);
      if (!link) {
        const detail = `carrier "${routed.data.carrierId}" is not configured in this connector`;
        early.push({ index, routed, failure: { retryable: true, commandStatus: null, detail } });
        continue;
      }
      const plan = planSubmit(routed.data, deps.randomRef(), {
        concat: link.carrier.concat,
        gsmDataCoding: link.carrier.gsmDataCoding,
        addressing: link.carrier.addressing,
      });
      if (!plan.ok) {
        const failure = { retryable: false, commandStatus: null, detail: plan.problem };
        early.push({ index, routed, failure });
        continue;
      }
      if (plan.mismatch) log.warn({ messageId: routed.messageId, detail: plan.mismatch }, "parts");
      if (!link.session()) {
        const unboundMs = link.unboundForMs(now.getTime());
        if (unboundMs >= deps.noBindFailoverMs && !deps.boundElsewhere?.(routed.data.carrierId)) {
          // Routing picks another carrier rather than this one waiting for its bind.
          const detail = `no bind to carrier "${link.carrier.id}" for ${Math.round(unboundMs / 1000)} s`;
          early.push({ index, routed, failure: { retryable: true, commandStatus: null, detail } });
        } else {
          outcomes[index] = nak(unboundRetryDelayMs(deliveryCount));
        }
        continue;
      }
      const validUntil = validUntilFor(
        routed.data.validUntil,
        link.carrier.defaultValiditySec,
        now,
      );
      candidates.push({ index, routed, link, plan, validUntil });
    }

    const claims = [
      ...candidates.map(({ routed }) => ({
        ...keyOf(routed),
        carrierId: routed.data.carrierId,
        claimedBy: deps.replica,
      })),
      ...early.map(({ routed, failure }) => ({
        ...keyOf(routed),
        carrierId: routed.data.carrierId,
        claimedBy: deps.replica,
        failure,
      })),
    ];
    const won = claims.length > 0 ? await deps.store.claim(claims) : new Set<string>();
    const isWon = (routed: Routed) => won.has(submissionKey(keyOf(routed)));
    for (const { index, routed, failure } of early) {
      if (isWon(routed)) events.push(submitFailedEvent(routed, failure, now));
      else toReconcile.push({ index, routed });
    }
    const claimed = candidates.filter(({ index, routed }) => {
      if (isWon(routed)) return true;
      toReconcile.push({ index, routed });
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
      const { routed, link, plan, validUntil } = candidate;
      const decision = decideSubmitOutcome(results[i] ?? []);
      if (decision.kind === "release") {
        released.push(keyOf(routed));
        outcomes[candidate.index] = nak(
          unboundRetryDelayMs(batch[candidate.index]?.deliveryCount ?? 1),
        );
        log.info({ messageId: routed.messageId, detail: decision.detail }, "not sent; released");
        continue;
      }
      const accepted = decision.kind === "submitted" ? decision.parts : decision.accepted;
      for (const { part, carrierMessageId } of accepted) {
        if (carrierMessageId === "") continue;
        partRows.push({
          carrierId: link.carrier.id,
          carrierMessageId: normalizeCarrierMessageId(carrierMessageId, link.carrier.idBase),
          rawId: carrierMessageId,
          validUntil,
          messageId: routed.messageId,
          accountId: routed.accountId,
          part,
          totalParts: plan.parts.reduce((sum, p) => sum + p.covers, 0),
          covers: plan.parts.find((p) => p.part === part)?.covers ?? 1,
          traceparent: routed.trace?.traceparent ?? null,
          tracestate: routed.trace?.tracestate ?? null,
        });
      }
      if (decision.kind === "submitted") {
        events.push(submittedEvent(routed, coveredParts(decision.parts, plan), now));
      } else {
        log.warn({ messageId: routed.messageId, detail: decision.detail }, "submit failed");
        const failure = {
          retryable: decision.retryable,
          commandStatus: decision.commandStatus,
          detail: decision.detail,
        };
        failures.push({ ...keyOf(routed), failure });
        events.push(submitFailedEvent(routed, failure, now));
      }
    }

    // The carrier has these parts now: store and publish them even through a short outage
    // (a redelivery finds them claimed and can only say again what is stored here).
    await withRetries(
      async () => {
        if (partRows.length > 0) await deps.store.recordParts(partRows);
        if (failures.length > 0) await deps.store.recordFailures(failures);
        if (events.length > 0) await deps.publisher.publishAll(events);
      },
      { attempts: 5, log, what: "record submits" },
    );
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
    return outcomes;
  };
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
