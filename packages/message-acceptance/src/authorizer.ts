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
import { askHedged } from "./hedged-ask.ts";
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
 * How long an ask waits for its answer before the request is asked once more (the earlier ask
 * stays open): the pricing replica that took it may have died with it, or the NATS node between
 * them. Asking again is safe: the same message ids, and pricing answers a repeat with the charge
 * it made the first time, never a second one. A second at least, so that a pricing that is only
 * slow is not asked twice for nothing; a third of the door's timeout.
 */
export function askAgainAfterMs(timeoutMs: number): number {
  return Math.max(1_000, Math.ceil(timeoutMs / 3));
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
  const hedgeAfterMs = askAgainAfterMs(timeoutMs);
  const reconnects = watchReconnects(nc);

  /**
   * Answered by `deadline` (ms), asked again as `askHedged` says; any failure left (no answer
   * in time, an answer off the schema) is AuthorizeFailedError.
   */
  async function ask<T>(
    subject: string,
    body: unknown,
    schema: z.ZodType<T>,
    deadline: number,
    untilServed: boolean,
  ): Promise<T> {
    try {
      return await askHedged<T>({
        send: (waitMs) => requestReply(nc, subject, body, schema, waitMs),
        deadline,
        hedgeAfterMs,
        untilServed,
        reconnects,
        isNoResponders,
      });
    } catch (error) {
      throw new AuthorizeFailedError("pricing did not answer the authorize request", {
        cause: error,
      });
    }
  }

  /**
   * The requests as sent, and when their answer is due: each carries when this door stops
   * waiting (`answerBy`), so that pricing charges nothing it could only answer after the door
   * said "not charged".
   */
  function sent(
    batch: readonly Waiting[],
    deadline = Date.now() + timeoutMs,
  ): { requests: AuthorizeRequest[]; deadline: number } {
    const answerBy = new Date(deadline).toISOString();
    return { requests: batch.map((waiting) => ({ ...waiting.request, answerBy })), deadline };
  }

  /**
   * Each waiting request alone on `authorize`, each settled by its own answer; by `deadline`
   * when a batch's ask fell back to this (the door's own, not a new one).
   */
  async function askEach(batch: readonly Waiting[], by?: number): Promise<void> {
    const { requests, deadline } = sent(batch, by);
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
    const { requests, deadline } = sent(batch);
    try {
      ({ responses } = await ask(
        subjects.authorizeBatch,
        { requests },
        AuthorizeBatchResponse,
        deadline,
        false,
      ));
    } catch (error) {
      // An older pricing (no batches yet), or none right now: one by one, each asked again
      // until it is served, by the same deadline.
      if (isNoResponders(error)) return askEach(batch, deadline);
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

/** Somewhere down the error's causes, NATS said nobody serves the subject. */
function isNoResponders(error: unknown): boolean {
  for (let at: unknown = error; at; at = (at as { cause?: unknown }).cause) {
    if (/no responders/i.test(String((at as { message?: unknown }).message ?? at))) return true;
    if (typeof at !== "object") return false;
  }
  return false;
}
