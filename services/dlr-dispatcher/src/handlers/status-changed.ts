import type { EventOf, MessageStatusChanged } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
  errorMessage,
  type Logger,
  nak,
  type Outcome,
} from "@smsgw/service-kit";
import {
  type AttemptResult,
  type NextStep,
  nextStep,
  type RetryPolicy,
  webhookAttemptedEvent,
  webhookRetryDelayMs,
} from "../domain/attempt.ts";
import { parseCallbackUrl } from "../domain/destination.ts";
import { reportBody, shouldReport, webhookIdFor } from "../domain/report.ts";
import type { AccountDirectory } from "./accounts.ts";
import type { Verdict } from "./destination-guard.ts";
import { postReport, signedHeaders } from "./post-report.ts";

export interface DispatchDeps {
  accounts: Pick<AccountDirectory, "byAccountId">;
  checkHost(host: string): Promise<Verdict>;
  publisher: EventPublisher;
  log: Logger;
  timeoutMs: number;
  policy: RetryPolicy;
  now(): Date;
}

/** How one delivery settles, and the attempt it records (none when nothing was tried). */
interface Handled {
  outcome: Outcome;
  event?: EventOf<"WebhookAttempted">;
}

/**
 * Turns a batch of status changes into webhook attempts, all at once (a slow endpoint
 * does not hold up the others), records the attempts, then settles each: ack when
 * delivered or given up, nak with back-off to try again.
 */
export function handleStatusChanges(deps: DispatchDeps) {
  return async (batch: Delivery<MessageStatusChanged>[]): Promise<Outcome[]> => {
    const handled = await Promise.all(batch.map((delivery) => dispatch(deps, delivery)));
    const events = handled.flatMap((h) => (h.event ? [h.event] : []));
    if (events.length > 0) await deps.publisher.publishAll(events);
    return handled.map((h) => h.outcome);
  };
}

async function dispatch(
  deps: DispatchDeps,
  { value: change, deliveryCount }: Delivery<MessageStatusChanged>,
): Promise<Handled> {
  if (!shouldReport(change)) return { outcome: ACK };
  const context = { messageId: change.messageId, sequence: change.sequence };

  const account = deps.accounts.byAccountId(change.accountId);
  if (!account) {
    // Never sent unsigned: the report waits for the account to reach the KV bucket.
    deps.log.warn({ ...context, accountId: change.accountId }, "account unknown; report waits");
    return { outcome: nak(webhookRetryDelayMs(deliveryCount, deps.policy.capMs)) };
  }

  const target = parseCallbackUrl(change.callbackUrl);
  /** Records the attempt and settles the delivery as the step says. */
  const finish = (result: AttemptResult, step: NextStep): Handled => {
    const error =
      step.outcome === "gave_up"
        ? [result.error, step.reason].filter((part) => part !== null).join("; ")
        : result.error;
    const event = webhookAttemptedEvent(change, {
      number: deliveryCount,
      endpoint: target.endpoint,
      result: { ...result, error },
      outcome: step.outcome,
      now: deps.now(),
    });
    return { outcome: step.outcome === "retrying" ? nak(step.delayMs) : ACK, event };
  };
  const conclude = (result: AttemptResult): Handled =>
    finish(
      result,
      nextStep(result, {
        deliveryCount,
        occurredAt: change.occurredAt,
        now: deps.now(),
        policy: deps.policy,
      }),
    );
  const refuse = (reason: string): Handled =>
    finish(
      { httpStatus: null, error: null, latencyMs: 0 },
      { outcome: "gave_up", reason: `refused: ${reason}` },
    );

  if (!target.ok) return refuse(target.reason);
  let verdict: Verdict;
  try {
    verdict = await deps.checkHost(target.host);
  } catch (error) {
    // A failed lookup may be passing: retried like a failed connection.
    return conclude({ httpStatus: null, error: errorMessage(error), latencyMs: 0 });
  }
  if (verdict.kind === "refused") return refuse(verdict.reason);

  const body = JSON.stringify(reportBody(change));
  let headers: Record<string, string>;
  try {
    headers = signedHeaders(account.webhookSecrets, webhookIdFor(change), deps.now(), body);
  } catch (error) {
    deps.log.error(
      { ...context, err: errorMessage(error) },
      "cannot sign with the account's secret",
    );
    return { outcome: nak(webhookRetryDelayMs(deliveryCount, deps.policy.capMs)) };
  }
  return conclude(await postReport(target.url, headers, body, deps.timeoutMs));
}
