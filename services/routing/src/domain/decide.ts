import type { DataOf, FailoverContext, RouteReason } from "@smsgw/contracts";
import {
  type CarrierScore,
  type ChoicePolicy,
  type Considered,
  chooseCarrier,
  type HealthState,
} from "./choose.ts";
import { longestPrefixMatch, type RouteTable } from "./route-table.ts";

/**
 * What routing does with a message: hand it to one carrier, or fail it. Pure: the
 * table, the live view (scores, health) and the message's routing state come in.
 */

/**
 * A message's routing state: its content, the key its scores count under (the accepted
 * country, else the matched prefix), the carriers of attempts 1, 2, … in order, and whether
 * it is a test account's. It travels with the message (ADR 0009): in the submit order, and
 * back in a SubmitFailed's `failover`, so routing stores nothing per message.
 */
export type RoutingState = FailoverContext["content"] & {
  scoreKey: string;
  tried: string[];
  test?: boolean | undefined;
};

export interface RoutingView {
  table: RouteTable;
  scores(key: string): ReadonlyMap<string, CarrierScore>;
  health: ReadonlyMap<string, HealthState>;
  /** Carriers known to be simulators (from their connectors' health records). */
  simulated: ReadonlySet<string>;
  policy: ChoicePolicy;
  maxAttempts: number;
}

export interface RouteChoice {
  kind: "route";
  carrierId: string;
  attempt: number;
  /** The state handed over with this attempt (tried now includes this carrier). */
  state: RoutingState;
  reason: RouteReason;
}

export interface FailDecision {
  kind: "fail";
  reason: DataOf<"MessageFailed">["reason"];
  errorCode: string | null;
  detail: string;
}

export type RouteDecision = RouteChoice | FailDecision;

type Content = Omit<RoutingState, "scoreKey" | "tried" | "test">;

/** Attempt 1 for an accepted message. */
export function decideRoute(
  view: RoutingView,
  message: Content & { country?: string | null | undefined; test?: boolean | undefined },
): RouteDecision {
  const route = longestPrefixMatch(view.table, message.to);
  if (!route) {
    return {
      kind: "fail",
      reason: "no_route",
      errorCode: null,
      detail: `no route for ${message.to}`,
    };
  }
  const { country, test, ...content } = message;
  const scoreKey = country ?? route.prefix;
  // Only a test message records the flag: live messages' state stays as it was.
  const state: RoutingState = { ...content, scoreKey, tried: [], ...(test ? { test } : {}) };
  return choose(view, route.prefix, state, 1);
}

/** The routing state a SubmitFailed carries back (absent on events from before ADR 0009). */
export function stateOfFailure(failure: DataOf<"SubmitFailed">): RoutingState | undefined {
  const context = failure.failover;
  if (!context) return undefined;
  const { content, scoreKey, tried, test } = context;
  return { ...content, scoreKey, tried, ...(test ? { test } : {}) };
}

/**
 * After a carrier refused attempt N: a retryable failure goes to the best carrier not
 * yet tried (attempt N+1); a permanent one, the last attempt or no carrier left fails
 * the message. A redelivered failure is decided again from what it carries: its order
 * has the same id (`<messageId>:submit:<N+1>`), so JetStream drops it, and past the
 * de-duplication window the connector's claim on (message, attempt) stops a second submit.
 */
export function decideAfterSubmitFailure(
  view: RoutingView,
  failure: DataOf<"SubmitFailed">,
  state: RoutingState | undefined = stateOfFailure(failure),
): RouteDecision {
  const refused = `${failure.carrierId} refused attempt ${failure.attempt}`;
  if (!failure.retryable) {
    return {
      kind: "fail",
      reason: "submit_rejected",
      errorCode: failure.commandStatus === null ? null : commandStatusHex(failure.commandStatus),
      detail: `${refused} (permanent): ${failure.detail}`,
    };
  }
  const noneLeft = (why: string): FailDecision => ({
    kind: "fail",
    reason: "no_carrier_left",
    errorCode: failure.commandStatus === null ? null : commandStatusHex(failure.commandStatus),
    detail: `${refused} (retryable: ${failure.detail}); ${why}`,
  });
  if (!state) return noneLeft("it carries no failover context (published before ADR 0009)");
  const route = longestPrefixMatch(view.table, state.to);
  if (failure.attempt >= view.maxAttempts) return noneLeft(`${view.maxAttempts} attempts made`);
  if (!route) return noneLeft(`no route for ${state.to} any more`);
  // The carriers of attempts 1..N, plus the one that failed (should the list be short).
  const tried = [...new Set([...state.tried.slice(0, failure.attempt), failure.carrierId])];
  const decision = choose(view, route.prefix, { ...state, tried }, failure.attempt + 1);
  return decision.kind === "route" ? decision : noneLeft("no other carrier for this destination");
}

function choose(
  view: RoutingView,
  matchedPrefix: string,
  state: RoutingState,
  attempt: number,
): RouteDecision {
  const route = longestPrefixMatch(view.table, state.to);
  const candidates = route?.carriers ?? [];
  const choice = chooseCarrier(
    {
      candidates,
      sender: state.from,
      scores: view.scores(state.scoreKey),
      health: view.health,
      simulated: view.simulated,
      test: state.test === true,
      tried: state.tried,
    },
    view.policy,
  );
  if (choice.kind === "none") {
    const why = state.test
      ? `test account: no simulated carrier for ${state.to} can take this message`
      : `no carrier for ${state.to} can take this message`;
    return {
      kind: "fail",
      reason: attempt === 1 ? "no_route" : "no_carrier_left",
      errorCode: null,
      detail: `${why} (${describe(choice.considered)})`,
    };
  }
  return {
    kind: "route",
    carrierId: choice.carrierId,
    attempt,
    state: { ...state, tried: [...state.tried, choice.carrierId] },
    reason: {
      matchedPrefix,
      candidates: candidates.map((c) => c.carrierId),
      scoreKey: state.scoreKey,
      winner: choice.carrierId,
      floor: view.policy.floor,
      ...(state.test ? { test: true } : {}),
      considered: choice.considered,
    },
  };
}

function describe(considered: readonly Considered[]): string {
  return considered.map((c) => `${c.carrierId}: ${c.excluded ?? "eligible"}`).join(", ");
}

/** SMPP command_status as written in the specification: `0x00000045`. */
export function commandStatusHex(status: number): string {
  return `0x${status.toString(16).padStart(8, "0")}`;
}
