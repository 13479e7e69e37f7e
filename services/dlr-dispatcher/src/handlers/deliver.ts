import { endpointOf, parseCallbackUrl } from "@smsgw/callback-guard";
import type { EventOf } from "@smsgw/contracts";
import {
  contextFromEnvelope,
  errorMessage,
  type Logger,
  SpanKind,
  serviceTracer,
  webhookAttemptDuration,
  webhookAttempts,
  webhookGivenUp,
  withSpan,
} from "@smsgw/service-kit";
import type { Job, Settlement } from "../db/jobs.ts";
import {
  type AttemptResult,
  isOriginFailure,
  type NextStep,
  nextStep,
  type RetryPolicy,
  webhookAttemptedEvent,
} from "../domain/attempt.ts";
import { webhookOf } from "../domain/report.ts";
import type { AccountDirectory } from "./accounts.ts";
import type { PostResult } from "./pinned-post.ts";
import { signedHeaders } from "./sign.ts";

export interface DeliverDeps {
  accounts: Pick<AccountDirectory, "byAccountId">;
  post(url: URL, headers: Record<string, string>, body: string): Promise<PostResult>;
  policy: RetryPolicy;
  log: Logger;
  now(): Date;
  random(): number;
}

/** What one run of a job came to: how to settle it, the attempt to record, and whether its origin failed. */
export interface Delivered {
  settlement: Settlement;
  event?: EventOf<"WebhookAttempted">;
  originFailed: boolean;
  /** The receiver asked for this long before it is tried again (Retry-After): its origin waits too. */
  originRetryAfterMs?: number;
}

const tracer = serviceTracer("dlr-dispatcher");

/** While the account is not in the KV cache yet, the report waits this long and is never sent unsigned. */
export const ACCOUNT_WAIT_MS = 2_000;

/**
 * One attempt of one job. The secret is the account's named by the status change (or inbound
 * message) itself (the job's accountId comes from it, never from the URL or another message),
 * so a report is only ever signed for, and sent to, the message's own account. Inbound
 * messages are not in any message's trail: their attempts are counted, not logged as events.
 */
export async function deliver(deps: DeliverDeps, job: Job): Promise<Delivered> {
  const change = job.change;
  const attempt = job.attempts + 1;
  const context = { messageId: job.messageId, sequence: job.sequence };
  const webhook = webhookOf(change);
  const parsed = parseCallbackUrl(webhook.url);
  const endpoint = parsed.ok ? endpointOf(parsed.url) : "(invalid url)";
  const record = (result: AttemptResult, step: NextStep): Delivered => {
    const error =
      step.outcome === "gave_up"
        ? [result.error, step.reason].filter((part) => part !== null).join("; ")
        : result.error;
    webhookAttempts.inc({ result: step.outcome });
    if (result.httpStatus !== null || result.error !== null) {
      webhookAttemptDuration.observe(result.latencyMs / 1000);
    }
    if (step.outcome === "gave_up") webhookGivenUp.inc();
    const event =
      change.type === "MessageStatusChanged"
        ? webhookAttemptedEvent(change, {
            number: attempt,
            endpoint,
            result: { ...result, error },
            outcome: step.outcome,
            now: deps.now(),
          })
        : undefined;
    const settlement: Settlement =
      step.outcome === "retrying"
        ? {
            kind: "retry",
            job,
            attempts: attempt,
            dueAt: new Date(deps.now().getTime() + step.delayMs),
          }
        : { kind: "done", job };
    const originFailed = step.outcome === "retrying" && isOriginFailure(result);
    return {
      settlement,
      ...(event ? { event } : {}),
      originFailed,
      ...(originFailed && result.retryAfterMs ? { originRetryAfterMs: result.retryAfterMs } : {}),
    };
  };
  const refuse = (reason: string) =>
    record(
      { httpStatus: null, error: null, latencyMs: 0 },
      { outcome: "gave_up", reason: `refused: ${reason}` },
    );
  /**
   * A report that cannot be signed waits (an account not in the cache yet, a secret an
   * operator must fix), but no longer than the retry window any report gets: past it, it is
   * given up like one whose receiver never answered, and the trail says why.
   */
  const waitOrGiveUp = (delayMs: number, why: string) =>
    Date.parse(webhook.occurredAt) + deps.policy.windowMs <= deps.now().getTime()
      ? record({ httpStatus: null, error: null, latencyMs: 0 }, { outcome: "gave_up", reason: why })
      : wait(job, deps, delayMs);

  const account = deps.accounts.byAccountId(job.accountId);
  if (!account || account.accountId !== change.accountId) {
    deps.log.warn({ ...context, accountId: job.accountId }, "account unknown; report waits");
    return waitOrGiveUp(ACCOUNT_WAIT_MS, "not signed: the account is unknown");
  }

  if (!parsed.ok) return refuse(parsed.reason);
  const body = JSON.stringify(webhook.body);
  let headers: Record<string, string>;
  try {
    headers = signedHeaders(account.webhookSecrets, webhook.webhookId, deps.now(), body);
  } catch (error) {
    // A malformed secret is an operator problem: hold the report rather than drop it.
    deps.log.error(
      { ...context, err: errorMessage(error) },
      "cannot sign with the account's secret",
    );
    return waitOrGiveUp(ACCOUNT_WAIT_MS * 30, "not signed: the account's secret is unusable");
  }
  // The attempt is a span of the message's trace (the status change carries it).
  const result = await withSpan(
    tracer,
    "webhook attempt",
    {
      kind: SpanKind.CLIENT,
      parent: contextFromEnvelope(
        change.type === "MessageStatusChanged" ? change.trace : undefined,
      ),
      attributes: { "http.request.method": "POST", "smsgw.webhook.attempt": attempt },
    },
    async (span) => {
      const answer = await deps.post(parsed.url, headers, body);
      if (answer.httpStatus !== null)
        span.setAttribute("http.response.status_code", answer.httpStatus);
      return answer;
    },
  );
  if (result.refused !== undefined) return refuse(result.refused);
  const step = nextStep(result, {
    attempt,
    occurredAt: webhook.occurredAt,
    now: deps.now(),
    policy: deps.policy,
    random: deps.random(),
  });
  return record(result, step);
}

function wait(job: Job, deps: DeliverDeps, delayMs: number): Delivered {
  return {
    settlement: {
      kind: "retry",
      job,
      attempts: job.attempts,
      dueAt: new Date(deps.now().getTime() + delayMs),
    },
    originFailed: false,
  };
}
