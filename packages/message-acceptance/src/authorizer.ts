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
  /** One request/reply; any failure (no answer, an answer off the schema) is AuthorizeFailedError. */
  async function ask<T>(subject: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    try {
      return await requestReply(nc, subject, body, schema, timeoutMs);
    } catch (error) {
      throw new AuthorizeFailedError("pricing did not answer the authorize request", {
        cause: error,
      });
    }
  }

  /**
   * The requests as sent: each carries when this door stops waiting (`answerBy`), so that
   * pricing charges nothing it could only answer after the door said "not charged".
   */
  function sent(batch: readonly Waiting[]): AuthorizeRequest[] {
    const answerBy = new Date(Date.now() + timeoutMs).toISOString();
    return batch.map((waiting) => ({ ...waiting.request, answerBy }));
  }

  /** Each waiting request alone on `authorize`, each settled by its own answer. */
  async function askEach(batch: readonly Waiting[]): Promise<void> {
    const requests = sent(batch);
    await Promise.all(
      batch.map((waiting, index) =>
        ask(subjects.authorize, requests[index], AuthorizeResponse).then(
          waiting.answered,
          waiting.failed,
        ),
      ),
    );
  }

  async function askTogether(batch: readonly Waiting[]): Promise<void> {
    let responses: AuthorizeResponse[];
    try {
      ({ responses } = await ask(
        subjects.authorizeBatch,
        { requests: sent(batch) },
        AuthorizeBatchResponse,
      ));
    } catch (error) {
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

/** Somewhere down the error's causes, NATS said nobody serves the subject. */
function isNoResponders(error: unknown): boolean {
  for (let at: unknown = error; at; at = (at as { cause?: unknown }).cause) {
    if (/no responders/i.test(String((at as { message?: unknown }).message ?? at))) return true;
    if (typeof at !== "object") return false;
  }
  return false;
}
