import { AuthorizeRequest, type AuthorizeResponse, type Subjects } from "@smsgw/contracts";
import {
  createGroupCommit,
  DeadlineExceededError,
  endSpan,
  errorMessage,
  type extractTraceContext,
  type Logger,
  type Nats,
  type Span,
  serviceTracer,
  startRpcSpan,
} from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { z } from "zod";
import { chargeBatch } from "../db/charges.ts";
import type { PricingDatabase } from "../db/schema.ts";
import type { PriceBook } from "../domain/price-book.ts";
import { authorizations, recordLedger } from "../metrics.ts";

/**
 * The authorize responder: NATS request/reply on `subjects.authorize` (queue group
 * "pricing", so replicas share the requests). Requests are group-committed: decided and
 * charged together (one read, one write: db/charges.ts), then each is answered. Nothing is
 * published: the answer carries the charge (amount, pricePerPart) and ingress logs it in
 * MessageAccepted (ADR 0009).
 */

/** The part of a NATS message the responder uses. */
export interface RequestMessage {
  string(): string;
  respond(data: string): boolean;
  /** The requester's trace context (traceparent), when it sent one. */
  headers?: Parameters<typeof extractTraceContext>[0];
}

/** The contract's request, with the bounds the ledger and the event envelope need. */
const Request = AuthorizeRequest.extend({
  messageId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64),
  to: z.string().regex(/^\+[0-9]{1,15}$/, "must be E.164 ('+' and up to 15 digits)"),
});

interface Pending {
  msg: RequestMessage;
  request: AuthorizeRequest;
  /** From arrival to answer, child of the requester's span. */
  span: Span;
  /** Set once answered: a commit given up on may still finish and try to answer again. */
  answered?: boolean;
}

export interface AuthorizeResponderOptions {
  nats: Nats;
  subjects: Subjects;
  db: Kysely<PricingDatabase>;
  prices(): PriceBook;
  log: Logger;
  windowMs: number;
  maxBatch: number;
  maxConcurrent: number;
  /** See GroupCommitOptions.timeoutMs. */
  commitTimeoutMs: number;
}

export interface AuthorizeResponder {
  /** Stops taking requests and answers those taken. */
  stop(): Promise<void>;
}

const NOT_RECORDED: AuthorizeResponse = {
  outcome: "error",
  reason: "the charge could not be recorded; nothing was charged",
};

// A commit given up on may still land: then its charge has no accepted message and the
// sweep refunds it. So this answer does not promise that nothing was charged.
const NOT_CONFIRMED: AuthorizeResponse = {
  outcome: "error",
  reason: "the charge could not be confirmed in time; a charge recorded late is refunded",
};

export function startAuthorizeResponder(options: AuthorizeResponderOptions): AuthorizeResponder {
  const { log } = options;
  const tracer = serviceTracer(options.nats.service);

  const group = createGroupCommit<Pending>({
    windowMs: options.windowMs,
    maxBatch: options.maxBatch,
    maxConcurrent: options.maxConcurrent,
    timeoutMs: options.commitTimeoutMs,
    async commit(batch) {
      const started = performance.now();
      const decision = await chargeBatch(
        options.db,
        batch.map((p) => p.request),
        options.prices(),
      );
      recordLedger("charge", decision.newCharges);
      for (const [index, pending] of batch.entries()) {
        answer(pending, decision.responses[index] ?? NOT_RECORDED);
      }
      log.debug(
        {
          size: batch.length,
          charged: decision.newCharges.length,
          ms: Math.round((performance.now() - started) * 100) / 100,
        },
        "batch committed",
      );
    },
    onError(error, batch) {
      log.error({ err: error, size: batch.length }, "authorize batch failed; answered error");
      const response = error instanceof DeadlineExceededError ? NOT_CONFIRMED : NOT_RECORDED;
      for (const pending of batch) answer(pending, response);
    },
  });

  function onRequest(msg: RequestMessage): void {
    let json: unknown;
    try {
      json = JSON.parse(msg.string());
    } catch {
      reply(msg, { outcome: "error", reason: "the request is not JSON" });
      return;
    }
    const parsed = Request.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "request";
      reply(msg, { outcome: "error", reason: `${field}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const request = parsed.data;
    // The requester's span (ingress's HTTP request) is the parent.
    const { span } = startRpcSpan(
      tracer,
      "pricing authorize",
      { headers: msg.headers, trace: request.trace },
      { "rpc.method": "authorize", "messaging.destination.name": options.subjects.authorize },
    );
    group.add({ msg, request, span });
  }

  function answer(pending: Pending, response: AuthorizeResponse): void {
    if (pending.answered) return;
    pending.answered = true;
    reply(pending.msg, response);
    pending.span.setAttribute("smsgw.authorize.outcome", response.outcome);
    endSpan(pending.span, response.outcome === "error" ? response.reason : undefined);
  }

  function reply(msg: RequestMessage, response: AuthorizeResponse): void {
    authorizations.inc({ outcome: response.outcome });
    // A requester that has gone away is not our problem: the charge stands, and a retry
    // with the same message id gets the same answer. Never throws: after a commit, a
    // failed reply must not be mistaken for a failed charge.
    try {
      msg.respond(JSON.stringify(response));
    } catch (error) {
      log.warn({ err: errorMessage(error) }, "authorize reply not sent");
    }
  }

  const subscription = options.nats.nc.subscribe(options.subjects.authorize, {
    queue: "pricing",
    callback(error, msg) {
      if (error) log.warn({ err: errorMessage(error) }, "authorize subscription error");
      else onRequest(msg);
    },
  });

  return {
    async stop() {
      await subscription.drain();
      await group.drain();
    },
  };
}
