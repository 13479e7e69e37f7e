import type { NatsConnection } from "@nats-io/transport-node";
import {
  AUTHORIZE_BATCH_MAX,
  AuthorizeBatchResponse,
  type AuthorizeRequest,
  AuthorizeResponse,
  type Subjects,
} from "@smsgw/contracts";
import { createGroupCommit, currentTraceContext } from "@smsgw/service-kit";
import type { z } from "zod";
import { watchReconnects } from "./reconnects.ts";
import { requestReply } from "./rpc.ts";

export interface Authorizer {
  /** Pricing's answer; throws when there is none (no responder, timeout, unreadable reply). */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResponse>;
}

export class AuthorizeFailedError extends Error {
  override name = "AuthorizeFailedError";
}

/** Authorize requests of this replica to pricing at once, alone or as a batch each. */
const IN_FLIGHT = 4;
/**
 * Pauses before asking again when nobody serves the subject: pricing restarting, or its
 * connection moving to another node of a NATS cluster that lost one. Nothing was delivered to
 * anyone, so asking again charges nothing twice; the door's deadline (`answerBy`) bounds it,
 * and so does the list: 1.5 s in all, then a pricing that is down is answered as down.
 */
const NO_RESPONDERS_PAUSES_MS = [100, 200, 400, 800] as const;
/** Not asked again with less than this left: the answer would not come in time anyway. */
const LEAST_TIME_TO_ASK_MS = 250;

/**
 * How long one ask waits for its answer before the request is asked again: the pricing replica
 * that took it may have died with it, or the NATS node between them. Asking again is safe: the
 * same message ids, and pricing answers a repeat with the charge it made the first time, never
 * a second one. A second at least, so that a pricing that is only slow is not asked twice for
 * nothing; a third of the door's timeout, so that two more asks fit in it.
 */
export function askAgainAfterMs(timeoutMs: number): number {
  return Math.max(1_000, Math.ceil(timeoutMs / 3));
}

/** Why an ask was given up before its answer came: asked again while the deadline allows. */
class UnansweredError extends Error {
  override name = "UnansweredError";
}

interface Waiting {
  request: AuthorizeRequest;
  answered(response: AuthorizeResponse): void;
  failed(error: unknown): void;
}

/**
 * The authorize RPC to pricing over NATS request/reply. Requests that meet (made while
 * IN_FLIGHT others are out, or within the window when company is expected) go together as one `AuthorizeBatchRequest` on `authorizeBatch`
 * (ADR 0009: one request and one reply for the lot; pricing group-commits them anyway); one
 * alone goes as before on `authorize`. A pricing that does not serve batches yet (an older
 * version during a rollout: no responders) gets the batch's requests one by one.
 */
export function createAuthorizer(
  nc: NatsConnection,
  subjects: Pick<Subjects, "authorize" | "authorizeBatch">,
  options: {
    timeoutMs: number;
    /**
     * How long a request waits for company when others are expected meanwhile (ADR 0025):
     * they share one request, one charge transaction and one publish. 0 = only those
     * made while IN_FLIGHT others are out, or in the same event-loop turn.
     */
    windowMs?: number;
  },
): Authorizer {
  const { timeoutMs } = options;
  const attemptMs = askAgainAfterMs(timeoutMs);
  const reconnects = watchReconnects(nc);

  /**
   * One request/reply, given up when the connection it went out on is replaced (its answer
   * cannot come back on it) or after `attemptMs` (lost with a pricing replica that died).
   */
  async function askOnce<T>(
    subject: string,
    body: unknown,
    schema: z.ZodType<T>,
    deadline: number,
  ) {
    let stopWatching = () => {};
    const reconnected = new Promise<never>((_, reject) => {
      stopWatching = reconnects.once(() =>
        reject(new UnansweredError("the NATS connection was replaced while the request was out")),
      );
    });
    const waitMs = Math.max(1, Math.min(attemptMs, deadline - Date.now()));
    try {
      return await Promise.race([requestReply(nc, subject, body, schema, waitMs), reconnected]);
    } finally {
      stopWatching();
    }
  }

  /**
   * Asks until answered by `deadline` (ms); any failure left (no answer in time, an answer off
   * the schema) is AuthorizeFailedError. A request whose connection was replaced or that went
   * unanswered for `attemptMs` is asked again while the deadline leaves time. With
   * `untilServed`, so is a subject nobody serves, after a pause.
   */
  async function ask<T>(
    subject: string,
    body: unknown,
    schema: z.ZodType<T>,
    deadline: number,
    untilServed: boolean,
  ): Promise<T> {
    for (let noResponders = 0; ; ) {
      try {
        return await askOnce(subject, body, schema, deadline);
      } catch (error) {
        if ((error instanceof UnansweredError || isTimeout(error)) && askAgainIn(0, deadline)) {
          continue;
        }
        const pause = NO_RESPONDERS_PAUSES_MS[noResponders++];
        if (
          untilServed &&
          pause !== undefined &&
          isNoResponders(error) &&
          askAgainIn(pause, deadline)
        ) {
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        throw new AuthorizeFailedError("pricing did not answer the authorize request", {
          cause: error,
        });
      }
    }
  }

  /**
   * The requests as sent, and when their answer is due: each carries when this door stops
   * waiting (`answerBy`), so that pricing charges nothing it could only answer after the door
   * said "not charged".
   */
  function sent(batch: readonly Waiting[]): { requests: AuthorizeRequest[]; deadline: number } {
    const deadline = Date.now() + timeoutMs;
    const answerBy = new Date(deadline).toISOString();
    return { requests: batch.map((waiting) => ({ ...waiting.request, answerBy })), deadline };
  }

  /** Each waiting request alone on `authorize`, each settled by its own answer. */
  async function askEach(batch: readonly Waiting[]): Promise<void> {
    const { requests, deadline } = sent(batch);
    await Promise.all(
      batch.map((waiting, index) =>
        ask(subjects.authorize, requests[index], AuthorizeResponse, deadline, true).then(
          waiting.answered,
          waiting.failed,
        ),
      ),
    );
  }

  async function askTogether(batch: readonly Waiting[]): Promise<void> {
    let responses: AuthorizeResponse[];
    try {
      const { requests, deadline } = sent(batch);
      ({ responses } = await ask(
        subjects.authorizeBatch,
        { requests },
        AuthorizeBatchResponse,
        deadline,
        false,
      ));
    } catch (error) {
      // An older pricing (no batches yet), or none right now: one by one, each asked again
      // until it is served.
      if (isNoResponders(error)) return askEach(batch);
      throw error;
    }
    for (const [index, waiting] of batch.entries()) {
      const response = responses[index];
      if (response) waiting.answered(response);
      else waiting.failed(new AuthorizeFailedError("pricing's batch answer lacks this request"));
    }
  }

  const group = createGroupCommit<Waiting>({
    windowMs: options.windowMs ?? 0,
    maxBatch: AUTHORIZE_BATCH_MAX,
    maxConcurrent: IN_FLIGHT,
    commit: (batch) => (batch.length === 1 ? askEach(batch) : askTogether(batch)),
    onError(error, batch) {
      for (const waiting of batch) waiting.failed(error);
    },
  });

  return {
    authorize(request) {
      // The request's span is the parent of pricing's `pricing authorize` span: in the body's
      // `trace` (the contract's field, which pricing reads first), taken now, while the
      // request's context is the active one.
      const trace = request.trace ?? currentTraceContext();
      const traced = trace ? { ...request, trace } : request;
      return new Promise((answered, failed) => group.add({ request: traced, answered, failed }));
    },
  };
}

/** Whether a pause of `pauseMs` still leaves time to ask before `deadline`. */
export function askAgainIn(pauseMs: number, deadline: number, now = Date.now()): boolean {
  return now + pauseMs + LEAST_TIME_TO_ASK_MS <= deadline;
}

/** Somewhere down the error's causes, NATS said nobody serves the subject. */
function isNoResponders(error: unknown): boolean {
  return causes(error).some((at) => /no responders/i.test(String(at.message ?? at)));
}

/** Somewhere down the error's causes, the request's own timeout ran out. */
function isTimeout(error: unknown): boolean {
  return causes(error).some((at) => at.name === "TimeoutError");
}

function causes(error: unknown): Array<{ name?: unknown; message?: unknown }> {
  const chain: Array<{ name?: unknown; message?: unknown }> = [];
  for (let at: unknown = error; at; at = (at as { cause?: unknown }).cause) {
    if (typeof at !== "object") return [...chain, { message: at }];
    chain.push(at as { name?: unknown; message?: unknown });
  }
  return chain;
}
