import type { DataOf } from "@smsgw/contracts";
import { longestPrefixMatch, type RouteTable } from "./route-table.ts";

/**
 * What routing does with a message: hand it to one carrier, or fail it. Pure: the route
 * table and everything known about the message come in as arguments. Scores, carrier
 * health and failover extend these functions; their callers do not change.
 */
export interface RouteChoice {
  kind: "route";
  carrierId: string;
  attempt: number;
  matchedPrefix: string;
  candidates: string[];
}

export interface FailDecision {
  kind: "fail";
  reason: DataOf<"MessageFailed">["reason"];
  errorCode: string | null;
  detail: string;
}

export type RouteDecision = RouteChoice | FailDecision;

/** First attempt for an accepted message: the first carrier of the longest matching prefix. */
export function decideRoute(table: RouteTable, to: string): RouteDecision {
  const route = longestPrefixMatch(table, to);
  const carrierId = route?.carriers[0];
  if (!route || carrierId === undefined) {
    return { kind: "fail", reason: "no_route", errorCode: null, detail: `no route for ${to}` };
  }
  return {
    kind: "route",
    carrierId,
    attempt: 1,
    matchedPrefix: route.prefix,
    candidates: [...route.carriers],
  };
}

/**
 * After a carrier refused a submit. The walking skeleton fails the message; failover
 * slots in here: it widens the result to `RouteDecision` (the next candidate with
 * attempt + 1, or `no_carrier_left` when none is left).
 */
export function decideAfterSubmitFailure(failure: DataOf<"SubmitFailed">): FailDecision {
  const retryable = failure.retryable ? "retryable" : "permanent";
  return {
    kind: "fail",
    reason: "submit_rejected",
    errorCode: failure.commandStatus === null ? null : commandStatusHex(failure.commandStatus),
    detail: `${failure.carrierId} refused attempt ${failure.attempt} (${retryable}): ${failure.detail}`,
  };
}

/** SMPP command_status as written in the specification: `0x00000045`. */
export function commandStatusHex(status: number): string {
  return `0x${status.toString(16).padStart(8, "0")}`;
}
