import {
  type ErrorCode,
  isForwardStatus,
  type MessageEvent,
  type MessageStatus,
  type PartStatus,
  publicErrorCodeOfFailure,
  publicErrorCodeOfReceipt,
  type SmppReceiptMask,
} from "@smsgw/contracts";

/**
 * One message's projection, folded from its events.
 *
 * Two kinds of fields:
 * - facts (`accepted`, `submittedAt`, `failure`, `partOutcomes`, `updatedAt`): what the
 *   events said, merged so that the order of arrival does not matter (earliest time,
 *   strongest receipt outcome, latest update);
 * - the status (`status`, `statusSeq`, `errorCode`, `statusTimes`): derived from the facts
 *   after every event, and only ever moved forward (api.md section 3). It stays null until
 *   `MessageAccepted` is seen, because acceptance carries what a status report needs.
 *
 * Error codes are the documented ones customers see (ADR 0017), taken from each event's
 * `publicErrorCode` or derived from its raw code when an old event has none; the raw codes
 * stay in the events.
 */
export interface MessageState {
  messageId: string;
  accountId: string;
  accepted: AcceptedFacts | null;
  /** When the first `MessageSubmitted` occurred (a carrier took every part). */
  submittedAt: string | null;
  /** The first `MessageFailed`: no carrier could take the message. */
  failure: { at: string; errorCode: ErrorCode | null } | null;
  /** When the message's validity ran out with no final receipt (`ValidityExpired`). */
  validityExpiredAt: string | null;
  /** Receipt outcome per part number (keys are the part numbers as strings). */
  partOutcomes: Readonly<Record<string, PartOutcome>>;
  status: MessageStatus | null;
  /** Counts the status changes from 1; the sequence of the latest one. */
  statusSeq: number;
  /** The documented error code behind a final status other than delivered. */
  errorCode: ErrorCode | null;
  /** When each status the projection reached was reached. */
  statusTimes: Readonly<Partial<Record<MessageStatus, string>>>;
  /** The latest `occurredAt` of the events that carry facts (`affectsProjection`). */
  updatedAt: string | null;
}

export interface AcceptedFacts {
  to: string;
  from: string;
  parts: number;
  /** Money units (contracts/money.ts). */
  cost: number;
  currency: string;
  reference: string | null;
  callbackUrl: string | null;
  /** The statuses the callback URL wants (api.md section 4); null = the default `sent,final`. */
  callbackStatuses: readonly MessageStatus[] | null;
  /** Submitted over SMPP with registered_delivery: the receipts it wants; else null. */
  smppReceipt: SmppReceiptMask | null;
  /** When it is to be sent (a scheduled message), ISO UTC; null: at once. */
  sendAt: string | null;
  /**
   * Until when it may be delivered, ISO UTC; null: the gateway's default. Its status changes
   * carry it only when it wants SMPP receipts (smpp-server keeps an unsent receipt until then).
   */
  validUntil: string | null;
  /** The `occurredAt` of `MessageAccepted`. */
  createdAt: string;
}

export interface PartOutcome {
  status: PartStatus;
  at: string;
  errorCode: ErrorCode | null;
}

/** A forward move of the status, as `evolve` made it. */
export interface StatusChange {
  status: MessageStatus;
  sequence: number;
  /** When the fact behind it occurred: acceptance, submission, the deciding receipt or failure. */
  occurredAt: string;
  errorCode: ErrorCode | null;
}

export function initialState(messageId: string, accountId: string): MessageState {
  return {
    messageId,
    accountId,
    accepted: null,
    submittedAt: null,
    failure: null,
    validityExpiredAt: null,
    partOutcomes: {},
    status: null,
    statusSeq: 0,
    errorCode: null,
    statusTimes: {},
    updatedAt: null,
  };
}

/**
 * Folds one event in: records its facts, then moves the status forward as far as they allow.
 * An event without facts (see `affectsProjection`) returns the state itself.
 */
export function evolve(state: MessageState, event: MessageEvent): MessageState {
  return step(state, event).state;
}

/** `evolve`, also saying which status changes the event caused (none, one, or several). */
export function step(
  state: MessageState,
  event: MessageEvent,
): { state: MessageState; changes: StatusChange[] } {
  const recorded = recordFacts(state, event);
  return recorded === state ? { state, changes: [] } : advance(recorded);
}

/**
 * Whether an event carries a fact of the projection. The others (charged, routed, submit
 * failed, webhook attempted) belong to the audit trail only: folding them changes nothing,
 * so the store need not even read the projection for them.
 */
export function affectsProjection(event: MessageEvent): boolean {
  switch (event.type) {
    case "MessageAccepted":
    case "MessageSubmitted":
    case "MessageFailed":
    case "ReceiptReceived":
    case "ValidityExpired":
      return true;
    case "MessageCharged":
    case "MessageRouted":
    case "SubmitFailed":
    case "WebhookAttempted":
    case "MessageRefunded":
      return false;
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event type ${(unknown as { type: string }).type}`);
    }
  }
}

function recordFacts(state: MessageState, event: MessageEvent): MessageState {
  if (!affectsProjection(event)) return state;
  const next = { ...state, updatedAt: latest(state.updatedAt, event.occurredAt) };
  switch (event.type) {
    case "MessageAccepted": {
      // Acceptance happens once per message id; a duplicate carries the same facts.
      if (state.accepted) return next;
      const { to, from, parts, cost, currency, reference, callbackUrl } = event.data;
      return {
        ...next,
        accepted: {
          to,
          from,
          parts,
          cost,
          currency,
          reference,
          callbackUrl,
          callbackStatuses: event.data.callbackStatuses ?? null,
          smppReceipt: event.data.smppReceipt ?? null,
          sendAt: event.data.sendAt ?? null,
          validUntil: event.data.validUntil ?? null,
          createdAt: event.occurredAt,
        },
      };
    }
    case "MessageSubmitted":
      return { ...next, submittedAt: earliest(state.submittedAt, event.occurredAt) };
    case "MessageFailed": {
      const failure = { at: event.occurredAt, errorCode: publicErrorCodeOfFailure(event.data) };
      if (state.failure && !isEarlier(failure.at, state.failure.at)) return next;
      return { ...next, failure };
    }
    case "ReceiptReceived": {
      const key = String(event.data.part);
      const outcome: PartOutcome = {
        status: event.data.partStatus,
        at: event.occurredAt,
        errorCode: publicErrorCodeOfReceipt(event.data),
      };
      const kept = strongerOutcome(state.partOutcomes[key], outcome);
      if (kept === state.partOutcomes[key]) return next;
      return { ...next, partOutcomes: { ...state.partOutcomes, [key]: kept } };
    }
    case "ValidityExpired":
      return { ...next, validityExpiredAt: earliest(state.validityExpiredAt, event.occurredAt) };
    case "MessageCharged":
    case "MessageRouted":
    case "SubmitFailed":
    case "WebhookAttempted":
    case "MessageRefunded":
      return state;
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event type ${(unknown as { type: string }).type}`);
    }
  }
}

interface Milestone {
  status: MessageStatus;
  at: string;
  errorCode: ErrorCode | null;
}

/** Applies, in order, every status the facts support that is a forward move. */
function advance(state: MessageState): { state: MessageState; changes: StatusChange[] } {
  const changes: StatusChange[] = [];
  let current = state;
  for (const milestone of milestones(state)) {
    if (!isForwardStatus(current.status, milestone.status)) continue;
    const sequence = current.statusSeq + 1;
    current = {
      ...current,
      status: milestone.status,
      statusSeq: sequence,
      errorCode: milestone.errorCode,
      statusTimes: { ...current.statusTimes, [milestone.status]: milestone.at },
    };
    changes.push({
      status: milestone.status,
      sequence,
      occurredAt: milestone.at,
      errorCode: milestone.errorCode,
    });
  }
  return { state: current, changes };
}

/** The statuses the facts support, in forward order; none until the message is accepted. */
function milestones(state: MessageState): Milestone[] {
  if (!state.accepted) return [];
  const reached: Milestone[] = [
    { status: "queued", at: state.accepted.createdAt, errorCode: null },
  ];
  if (state.submittedAt) reached.push({ status: "sent", at: state.submittedAt, errorCode: null });
  const final = finalStatus(state, state.accepted.parts);
  if (final) reached.push(final);
  return reached;
}

/**
 * The final status the facts support. Receipts: any part undelivered -> undelivered; else any
 * part expired -> expired; else every part 1..parts delivered -> delivered. When a receipt
 * outcome, a failure and a validity expiry are known, the one that occurred first wins.
 */
function finalStatus(state: MessageState, parts: number): Milestone | null {
  const candidates: Milestone[] = [];
  const receipt = receiptOutcome(state.partOutcomes, parts);
  if (receipt) candidates.push(receipt);
  if (state.failure) candidates.push({ status: "failed", ...state.failure });
  if (state.validityExpiredAt) {
    candidates.push({ status: "expired", at: state.validityExpiredAt, errorCode: "expired" });
  }
  return candidates.reduce<Milestone | null>(
    (first, candidate) => (first && !isEarlier(candidate.at, first.at) ? first : candidate),
    null,
  );
}

function receiptOutcome(outcomes: MessageState["partOutcomes"], parts: number): Milestone | null {
  const known: PartOutcome[] = [];
  for (let part = 1; part <= parts; part++) {
    const outcome = outcomes[String(part)];
    if (outcome) known.push(outcome);
  }
  for (const failed of ["undelivered", "expired"] as const) {
    const first = known
      .filter((o) => o.status === failed)
      .reduce<PartOutcome | null>((a, b) => (a && !isEarlier(b.at, a.at) ? a : b), null);
    if (first) return { status: failed, at: first.at, errorCode: first.errorCode };
  }
  const delivered = known.filter((o) => o.status === "delivered");
  if (delivered.length < parts) return null;
  const last = delivered.reduce((a, b) => (isEarlier(a.at, b.at) ? b : a));
  return { status: "delivered", at: last.at, errorCode: null };
}

// A part's receipts merge whatever their order: a final outcome beats pending, and among
// finals the worse one wins (a carrier that says both delivered and undelivered is not
// trusted with delivered). Equal outcomes keep the earlier time.
const OUTCOME_RANK: Record<PartStatus, number> = {
  pending: 0,
  delivered: 1,
  expired: 2,
  undelivered: 3,
};

function strongerOutcome(kept: PartOutcome | undefined, incoming: PartOutcome): PartOutcome {
  if (!kept) return incoming;
  const diff = OUTCOME_RANK[incoming.status] - OUTCOME_RANK[kept.status];
  if (diff !== 0) return diff > 0 ? incoming : kept;
  return isEarlier(incoming.at, kept.at) ? incoming : kept;
}

// Times are ISO strings whose precision may differ ("…:00Z" vs "…:00.5Z"): compare instants.
function isEarlier(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

function earliest(a: string | null, b: string): string {
  return a !== null && !isEarlier(b, a) ? a : b;
}

function latest(a: string | null, b: string): string {
  return a !== null && !isEarlier(a, b) ? a : b;
}
