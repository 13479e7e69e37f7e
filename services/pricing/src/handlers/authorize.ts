import {
  AuthorizeBatchRequest,
  AuthorizeRequest,
  type AuthorizeResponse,
  type Subjects,
} from "@smsgw/contracts";
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
import { ChargeDeadlineError, chargeBatch } from "../db/charges.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { chargeDeadline, splitByDeadline } from "../domain/deadline.ts";
import type { PriceBook } from "../domain/price-book.ts";
import { authorizations, authorizeRequests, recordLedger } from "../metrics.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

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
  request: AuthorizeRequest;
  /** Sends (or, in a batch, records) the answer; called once. */
  settle(response: AuthorizeResponse): void;
  /** From arrival to answer, child of the requester's span. */
  span: Span;
  /** ms: its charge is written by then or not at all (domain/deadline.ts). */
  deadline: number;
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
  /**
   * See GroupCommitOptions.timeoutMs; also the longest a request waits to be charged from its
   * arrival, whatever its `answerBy` (a door of the version before sends none).
   */
  commitTimeoutMs: number;
  /**
   * Publishes the balance warnings a batch wrote to the outbox right after its commit; without
   * it (tests) they wait for the sweep's relay.
   */
  outbox?: Pick<OutboxPublisher, "publishCommitted">;
  /** ACCEPT_WINDOW_MS (ADR 0022): each charge's `publishBy`; absent (tests) none. */
  acceptWindowMs?: number;
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

// The requester stops waiting (and answers "not charged") before this batch could be written.
const TOO_LATE: AuthorizeResponse = {
  outcome: "error",
  reason: "the requester's deadline passed before the charge was written; nothing was charged",
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
      // Requests whose door stopped waiting while they queued (a stall) are not charged.
      const { expired, live, deadline } = splitByDeadline(batch, Date.now());
      for (const pending of expired) answer(pending, TOO_LATE);
      if (live.length === 0) return;
      const decision = await chargeBatch(
        options.db,
        live.map((p) => p.request),
        options.prices(),
        options.acceptWindowMs,
        deadline,
      );
      recordLedger("charge", decision.newCharges);
      // Rare (a crossing, not a charge): nothing to do on almost every batch.
      options.outbox?.publishCommitted(decision.balanceWarnings);
      for (const [index, pending] of live.entries()) {
        answer(pending, decision.responses[index] ?? NOT_RECORDED);
      }
      log.debug(
        {
          size: batch.length,
          late: expired.length,
          charged: decision.newCharges.length,
          ms: Math.round((performance.now() - started) * 100) / 100,
        },
        "batch committed",
      );
    },
    onError(error, batch) {
      log.error({ err: error, size: batch.length }, "authorize batch failed; answered error");
      const response =
        error instanceof ChargeDeadlineError
          ? TOO_LATE
          : error instanceof DeadlineExceededError
            ? NOT_CONFIRMED
            : NOT_RECORDED;
      for (const pending of batch) answer(pending, response);
    },
  });

  /** One request, answered alone. */
  function onRequest(msg: RequestMessage): void {
    authorizeRequests.inc({ kind: "single" });
    const json = jsonOf(msg);
    const settle = (response: AuthorizeResponse) => reply(msg, JSON.stringify(response));
    if (json === undefined) count(settle)({ outcome: "error", reason: "the request is not JSON" });
    else take(json, msg, settle);
  }

  /**
   * Requests that met at an ingress replica, answered together in order once each is
   * settled (they may fall in different group commits). A request that does not parse gets
   * its own error answer; the others go on.
   */
  function onBatch(msg: RequestMessage): void {
    authorizeRequests.inc({ kind: "batch" });
    const parsed = AuthorizeBatchRequest.safeParse(jsonOf(msg));
    if (!parsed.success) {
      reply(msg, JSON.stringify({ error: "not an authorize batch" }));
      return;
    }
    const { requests } = parsed.data;
    const responses = new Array<AuthorizeResponse>(requests.length);
    let left = requests.length;
    for (const [index, json] of requests.entries()) {
      take(json, msg, (response) => {
        responses[index] = response;
        if (--left === 0) reply(msg, JSON.stringify({ responses }));
      });
    }
  }

  function jsonOf(msg: RequestMessage): unknown {
    try {
      return JSON.parse(msg.string());
    } catch {
      return undefined;
    }
  }

  /** Validates one request and hands it to the group commit, or settles it with the refusal. */
  function take(json: unknown, msg: RequestMessage, settle: Pending["settle"]): void {
    const parsed = Request.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "request";
      count(settle)({ outcome: "error", reason: `${field}: ${issue?.message ?? "invalid"}` });
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
    const deadline = chargeDeadline({
      arrivedAt: Date.now(),
      commitTimeoutMs: options.commitTimeoutMs,
      answerBy: request.answerBy === undefined ? undefined : Date.parse(request.answerBy),
    });
    group.add({ request, span, deadline, settle: count(settle) });
  }

  /** Every answer is counted by its outcome, alone or in a batch. */
  function count(settle: Pending["settle"]): Pending["settle"] {
    return (response) => {
      authorizations.inc({ outcome: response.outcome });
      settle(response);
    };
  }

  function answer(pending: Pending, response: AuthorizeResponse): void {
    if (pending.answered) return;
    pending.answered = true;
    pending.settle(response);
    pending.span.setAttribute("smsgw.authorize.outcome", response.outcome);
    endSpan(pending.span, response.outcome === "error" ? response.reason : undefined);
  }

  function reply(msg: RequestMessage, body: string): void {
    // A requester that has gone away is not our problem: the charge stands, and a retry
    // with the same message id gets the same answer. Never throws: after a commit, a
    // failed reply must not be mistaken for a failed charge.
    try {
      msg.respond(body);
    } catch (error) {
      log.warn({ err: errorMessage(error) }, "authorize reply not sent");
    }
  }

  const subscriptions = [
    subscribe(options.subjects.authorize, onRequest),
    subscribe(options.subjects.authorizeBatch, onBatch),
  ];
  function subscribe(subject: string, handle: (msg: RequestMessage) => void) {
    return options.nats.nc.subscribe(subject, {
      queue: "pricing",
      callback(error, msg) {
        if (error) log.warn({ err: errorMessage(error), subject }, "authorize subscription error");
        else handle(msg);
      },
    });
  }

  return {
    async stop() {
      await Promise.all(subscriptions.map((subscription) => subscription.drain()));
      await group.drain();
    },
  };
}
