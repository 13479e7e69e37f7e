import { type AccountBalanceLow, toDecimal } from "@smsgw/contracts";

/** The JSON body of a balance webhook (docs/api.md), field for field. */
export interface BalanceBody {
  type: "balance";
  /** Decimals of the currency, as a report's `cost`. */
  balance: number;
  currency: string;
  threshold: number;
  occurredAt: string;
}

/** Only a warning with somewhere to go is sent: the account's default callback URL. */
export function shouldSendBalance(
  event: AccountBalanceLow,
): event is AccountBalanceLow & { callbackUrl: string } {
  return event.callbackUrl !== null;
}

export function balanceBody(event: AccountBalanceLow): BalanceBody {
  return {
    type: "balance",
    balance: toDecimal(event.balance),
    currency: event.currency,
    threshold: toDecimal(event.threshold),
    occurredAt: event.occurredAt,
  };
}
