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
import { type ConnectorEvent, submitFailedEvent, submittedEvent } from "../domain/events.ts";
import type { SubmitPart } from "../domain/parts.ts";
import {
  type AcceptedPart,
  decideSubmitOutcome,
  type PartResult,
} from "../domain/submit-outcome.ts";
import { planSubmit, type SubmitPlan } from "../domain/submit-plan.ts";
import { smppAbsoluteTime, validUntilFor } from "../domain/validity.ts";
import type { CarrierLink } from "./carrier-link.ts";
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
}

interface Candidate {
  index: number;
  routed: Routed;
  link: CarrierLink;
  plan: Plan;
  validUntil: Date;
}

const REGISTERED_DELIVERY_FINAL = 0x01;

/**
 * Submits a batch of routed messages:
 * 1. sorts out what cannot be sent now: an unknown carrier or content that can never be sent
 *    (SubmitFailed), a carrier with no bound session (nak with a delay, not claimed);
 * 2. claims the rest in one statement, so a redelivered event never submits twice (one already
 *    claimed is acked without resubmitting: its outcome is unknown until reconciled);
 * 3. sends every part of every claimed message through the sessions' windows at once;
 * 4. stores the carrier ids of the accepted parts in one statement, then publishes
 *    MessageSubmitted / SubmitFailed. A message none of whose parts left the process gives its
 *    claim back and comes again later.
 */
export function handleRouted(deps: RoutedDeps) {
  const { log } = deps;
  return async (batch: Delivery<Routed>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const outcomes: Outcome[] = batch.map(() => ACK);
    const events: ConnectorEvent[] = [];
    const candidates: Candidate[] = [];
    const seen = new Set<string>();

    for (const [index, { value: routed, deliveryCount }] of batch.entries()) {
      const key = submissionKey({ messageId: routed.messageId, attempt: routed.data.attempt });
      if (seen.has(key)) continue; // a copy in the same batch: the first one is handled
      seen.add(key);
      const link = deps.links.get(routed.data.carrierId);
      if (!link) {
        const detail = `carrier "${routed.data.carrierId}" is not configured in this connector`;
        events.push(
          submitFailedEvent(routed, { retryable: true, commandStatus: null, detail }, now),
        );
        continue;
      }
      const plan = planSubmit(routed.data, deps.randomRef(), {
        concat: link.carrier.concat,
        gsmDataCoding: link.carrier.gsmDataCoding,
        addressing: link.carrier.addressing,
      });
      if (!plan.ok) {
        const failure = { retryable: false, commandStatus: null, detail: plan.problem };
        events.push(submitFailedEvent(routed, failure, now));
        continue;
      }
      if (plan.mismatch) log.warn({ messageId: routed.messageId, detail: plan.mismatch }, "parts");
      if (!link.session()) {
        const unboundMs = link.unboundForMs(now.getTime());
        if (unboundMs >= deps.noBindFailoverMs) {
          // Routing picks another carrier rather than this one waiting for its bind.
          const detail = `no bind to carrier "${link.carrier.id}" for ${Math.round(unboundMs / 1000)} s`;
          events.push(
            submitFailedEvent(routed, { retryable: true, commandStatus: null, detail }, now),
          );
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

    const won = candidates.length
      ? await deps.store.claim(
          candidates.map(({ routed }) => ({
            messageId: routed.messageId,
            attempt: routed.data.attempt,
            carrierId: routed.data.carrierId,
          })),
        )
      : new Set<string>();
    const claimed = candidates.filter(({ routed }) => {
      const key = { messageId: routed.messageId, attempt: routed.data.attempt };
      if (won.has(submissionKey(key))) return true;
      log.warn(key, "already claimed: acked without resubmitting (outcome unknown)");
      return false;
    });

    const results = await Promise.all(
      claimed.map((c) => submitParts(c.link, c.plan, c.validUntil)),
    );

    const released: SubmissionKey[] = [];
    const partRows: PartRow[] = [];
    for (const [i, candidate] of claimed.entries()) {
      const { routed, link, plan, validUntil } = candidate;
      const decision = decideSubmitOutcome(results[i] ?? []);
      if (decision.kind === "release") {
        released.push({ messageId: routed.messageId, attempt: routed.data.attempt });
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
        events.push(submitFailedEvent(routed, decision, now));
      }
    }

    // The carrier has these parts now: store and publish them even through a short outage
    // (a redelivery would find them claimed and could not publish them again).
    await withRetries(
      async () => {
        if (partRows.length > 0) await deps.store.recordParts(partRows);
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
        // They stay claimed: their redelivery is acked unsent (outcome unknown) until reconciled.
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
