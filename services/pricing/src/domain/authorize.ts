import type { AuthorizeResponse } from "@smsgw/contracts";
import type { PriceList } from "./price-list.ts";

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
  parts: number;
}

export interface AccountState {
  accountId: string;
  status: "active" | "disabled";
  currency: string;
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
}

export interface BatchInput {
  requests: readonly ChargeRequest[];
  /** The batch's accounts as they are now (locked for the decision). */
  accounts: ReadonlyMap<string, AccountState>;
  /** Charges already recorded for the batch's message ids. */
  existingCharges: ReadonlyMap<string, Charge>;
  prices: PriceList;
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
    if (account.status !== "active") {
      return { outcome: "destination_blocked", reason: "the account is disabled" };
    }
    const price = input.prices.lookup(request.to);
    if (!price) {
      return { outcome: "destination_blocked", reason: `no price for ${request.to}` };
    }
    if (price.currency !== account.currency) {
      return {
        outcome: "destination_blocked",
        reason: `no price in ${account.currency} for ${request.to}`,
      };
    }
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

/** A retried message id gets its first answer again, and is not charged twice. */
function replay(charge: Charge, request: ChargeRequest): AuthorizeResponse {
  if (charge.accountId !== request.accountId) {
    return { outcome: "error", reason: "message id already charged to another account" };
  }
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
