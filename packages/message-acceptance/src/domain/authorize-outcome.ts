import { type AuthorizeResponse, toDecimal } from "@smsgw/contracts";
import { type Checked, passed, refused } from "./api-error.ts";

export interface Charge {
  /** Money units (1/10,000 of the currency's main unit). */
  amount: number;
  currency: string;
  /** Money units per part: logged in MessageAccepted, which carries the charge (ADR 0009). */
  pricePerPart: number;
  /** The accepted event must be stored by then (ADR 0022); absent from an older pricing. */
  publishBy?: string;
  /** When the door heard the answer (ms, its own clock): what its margin is measured from. */
  answeredAt?: number;
}

/**
 * When a charged message is accepted, ISO UTC: the moment the door heard its charge. The
 * MessageAccepted event says so (`occurredAt`, which the event store keeps as the message's
 * createdAt), and so does the resource answered with it (v1's 202): both read the charge, so
 * they cannot drift apart by the publish's duration (`now`: only for a charge made elsewhere).
 */
export function acceptedAt(charge: Charge, now: number): string {
  return new Date(charge.answeredAt ?? now).toISOString();
}

/**
 * Pricing's answer, as the client will hear it: a charge to go on with, or the 200-status
 * refusal of api.md. Pricing's own `error` is a server_error: nothing was charged.
 */
export function outcomeOfAuthorize(response: AuthorizeResponse): Checked<Charge> {
  switch (response.outcome) {
    case "charged":
      return passed({
        amount: response.amount,
        currency: response.currency,
        pricePerPart: response.pricePerPart,
        ...(response.publishBy ? { publishBy: response.publishBy } : {}),
      });
    case "low_balance":
      return refused(
        "low_balance",
        `the account's credit (${toDecimal(response.balance)}) does not cover this message (${toDecimal(response.needed)})`,
      );
    case "destination_blocked":
      return refused(
        "destination_blocked",
        response.reason
          ? `the destination is blocked for this account or has no route: ${response.reason}`
          : "the destination is blocked for this account or has no route",
      );
    case "error":
      return refused("server_error", "the message could not be priced; it was not accepted");
    case "refunded":
      return {
        ok: false,
        error: {
          status: "server_error",
          message: "the message was not accepted and not charged; retry",
          idSpent: true,
        },
      };
    default:
      return unreachable(response);
  }
}

function unreachable(value: never): never {
  throw new Error(`unknown authorize outcome ${JSON.stringify(value)}`);
}
