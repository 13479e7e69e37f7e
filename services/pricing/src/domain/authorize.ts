import type { AuthorizeResponse } from "@smsgw/contracts";
import type { RefundReason } from "./events.ts";
import type { PriceBook } from "./price-book.ts";
import { type QuotedAccount, quote } from "./quote.ts";

/**
 * The charge decision for one group-committed batch of authorize requests. Pure: the
 * handler reads the accounts (locked) and the batch's existing charges, calls this,
 * then writes what it returns. Requests are decided in arrival order against a running
 * balance, so requests of one account in one batch never take it below zero.
 */

export interface ChargeRequest {
  messageId: string;
  accountId: string;
  /** E.164 destination. */
  to: string;
  /** The destination's country when the caller knows it; else the price's. */
  country?: string | null;
  parts: number;
}

export interface AccountState extends QuotedAccount {
  /** Money units. */
  balance: number;
}

/** A charge as the ledger records it; `amount` is what the account paid (positive). */
export interface Charge {
  messageId: string;
  accountId: string;
  amount: number;
  pricePerPart: number;
  parts: number;
  currency: string;
  /**
   * Refunded since: the refund's reason (the ledger's note), `not_accepted` (never accepted:
   * the id is spent) or `failed` (accepted, then failed: the message stands).
   */
  refundReason?: string;
  /** When the ledger recorded it (ms; Postgres's clock, the sweep's): its window's start. */
  chargedAt?: number;
}

export interface BatchInput {
  requests: readonly ChargeRequest[];
  /** The batch's accounts as they are now (locked for the decision). */
  accounts: ReadonlyMap<string, AccountState>;
  /** Charges already recorded for the batch's message ids. */
  existingCharges: ReadonlyMap<string, Charge>;
  prices: PriceBook;
}

export interface BatchDecision {
  /** One answer per request, in the order of `requests`. */
  responses: AuthorizeResponse[];
  /** The charges to record: one per newly charged message id. */
  newCharges: Charge[];
  /** The new balance of every account this batch charged. */
  balances: Map<string, number>;
}

export function decideBatch(input: BatchInput): BatchDecision {
  const balances = new Map<string, number>();
  const charged = new Map<string, Charge>(input.existingCharges);
  const newCharges: Charge[] = [];
  const responses = input.requests.map((request): AuthorizeResponse => {
    const previous = charged.get(request.messageId);
    if (previous) return replay(previous, request);

    const account = input.accounts.get(request.accountId);
    if (!account) return { outcome: "error", reason: `unknown account ${request.accountId}` };
    const quoted = quote(account, request.to, request.country ?? null, input.prices);
    if (!quoted.ok) return { outcome: "destination_blocked", reason: quoted.reason };
    const price = quoted.price;
    const amount = request.parts * price.pricePerPart;
    if (!Number.isSafeInteger(amount)) return { outcome: "error", reason: "amount out of range" };
    const balance = balances.get(account.accountId) ?? account.balance;
    if (balance < amount) return { outcome: "low_balance", balance, needed: amount };

    const charge: Charge = {
      messageId: request.messageId,
      accountId: account.accountId,
      amount,
      pricePerPart: price.pricePerPart,
      parts: request.parts,
      currency: account.currency,
    };
    balances.set(account.accountId, balance - amount);
    charged.set(charge.messageId, charge);
    newCharges.push(charge);
    return chargedResponse(charge);
  });
  return { responses, newCharges, balances };
}

/** The ledger note of a sweep's refund (RefundReason `not_accepted`, domain/events.ts). */
const NEVER_ACCEPTED: RefundReason = "not_accepted";

/**
 * A retried message id gets its first answer again, and is not charged twice. Refunded as
 * never accepted, it is spent: no message went out under it, and a send that still wants to go
 * needs a new id (`refunded`). Refunded for any other reason (`failed`: accepted, then no
 * carrier took it), a message went out under it: the retry gets the first charge with its
 * window closed (`replayWindowMs`), so the door answers that message (`outcome_unknown` with
 * its id) and never sends a second one, nor the first again.
 */
function replay(charge: Charge, request: ChargeRequest): AuthorizeResponse {
  if (charge.accountId !== request.accountId) {
    return { outcome: "error", reason: "message id already charged to another account" };
  }
  if (charge.refundReason === NEVER_ACCEPTED) return { outcome: "refunded" };
  return chargedResponse(charge);
}

function chargedResponse(charge: Charge): AuthorizeResponse {
  return {
    outcome: "charged",
    amount: charge.amount,
    currency: charge.currency,
    pricePerPart: charge.pricePerPart,
  };
}

/**
 * The accept window a replayed charge is answered with. A refunded one's is closed (0: its
 * `publishBy` is its charge's time, already past): the door must not publish its copy again.
 * That copy would travel in an envelope of other company, under another id than the first, so
 * JetStream would keep it, and routing would route a message that failed and was refunded:
 * sent, and never paid for.
 */
export function replayWindowMs(charge: Charge, windowMs: number): number {
  return charge.refundReason === undefined ? windowMs : 0;
}

/**
 * A `charged` answer with its `publishBy` (ADR 0022): the charge's ledger time plus the accept
 * window. A retry gets the first charge's, to the millisecond: the window never restarts, so
 * the sweep's grace, counted from the same ledger row, always covers what the fence admits.
 */
export function withPublishBy(
  response: AuthorizeResponse,
  chargedAt: number | undefined,
  windowMs: number,
): AuthorizeResponse {
  if (response.outcome !== "charged" || chargedAt === undefined) return response;
  return { ...response, publishBy: new Date(chargedAt + windowMs).toISOString() };
}
