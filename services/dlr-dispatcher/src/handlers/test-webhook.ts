import { endpointOf, parseCallbackUrl } from "@smsgw/callback-guard";
import { newMessageId, TestWebhookRequest, type TestWebhookResponse } from "@smsgw/contracts";
import { errorMessage, type Logger, type Nats } from "@smsgw/service-kit";
import {
  testMessageId,
  testReportBody,
  testTargetOf,
  testWebhookId,
} from "../domain/test-report.ts";
import type { AccountDirectory } from "./accounts.ts";
import type { PostResult } from "./pinned-post.ts";
import { signedHeaders } from "./sign.ts";

export interface TestWebhookDeps {
  nc: Nats["nc"];
  subject: string;
  accounts: Pick<AccountDirectory, "byAccountId">;
  /** The same SSRF-guarded, pinned poster (and timeout) as real reports. */
  post(url: URL, headers: Record<string, string>, body: string): Promise<PostResult>;
  log: Logger;
  now(): Date;
}

/**
 * The console's "send a test webhook" (contracts webhook-test.ts): one signed test report to
 * the account's default callback URL, answered with how that attempt went. One at a time per
 * account (a second request while one runs is answered not_sent), never retried, never
 * recorded as an event: it belongs to no message.
 */
export function startTestWebhookResponder(deps: TestWebhookDeps): { stop(): Promise<void> } {
  const inFlight = new Set<string>();

  async function answer(request: TestWebhookRequest): Promise<TestWebhookResponse> {
    const account = deps.accounts.byAccountId(request.accountId);
    const target = testTargetOf(account);
    if (!account || !target.send) {
      return { outcome: "not_sent", reason: target.send ? "unknown account" : target.reason };
    }
    const now = deps.now();
    const messageId = testMessageId(newMessageId(now.getTime()));
    const parsed = parseCallbackUrl(target.url);
    if (!parsed.ok) {
      return attempted(messageId, "(invalid url)", {
        httpStatus: null,
        error: `refused: ${parsed.reason}`,
        latencyMs: 0,
      });
    }
    if (inFlight.has(account.accountId)) {
      return { outcome: "not_sent", reason: "a test webhook is already being sent; wait for it" };
    }
    inFlight.add(account.accountId);
    try {
      const body = JSON.stringify(testReportBody(messageId, account, now));
      const headers = signedHeaders(account.webhookSecrets, testWebhookId(messageId), now, body);
      const result = await deps.post(parsed.url, headers, body);
      const error = result.refused !== undefined ? `refused: ${result.refused}` : result.error;
      return attempted(messageId, endpointOf(parsed.url), { ...result, error });
    } finally {
      inFlight.delete(account.accountId);
    }
  }

  const subscription = deps.nc.subscribe(deps.subject, {
    queue: "dlr-dispatcher",
    callback(error, msg) {
      if (error) {
        deps.log.warn({ err: errorMessage(error) }, "test webhook subscription error");
        return;
      }
      const reply = (response: TestWebhookResponse) => {
        try {
          msg.respond(JSON.stringify(response));
        } catch (e) {
          deps.log.warn({ err: errorMessage(e) }, "test webhook reply not sent");
        }
      };
      let parsed: ReturnType<typeof TestWebhookRequest.safeParse>;
      try {
        parsed = TestWebhookRequest.safeParse(msg.json());
      } catch {
        return reply({ outcome: "error", reason: "the request is not JSON" });
      }
      if (!parsed.success) return reply({ outcome: "error", reason: "accountId is required" });
      answer(parsed.data).then(reply, (e: unknown) => {
        deps.log.error({ err: errorMessage(e) }, "test webhook failed");
        reply({ outcome: "error", reason: "the test webhook could not be sent; try again" });
      });
    },
  });
  return {
    async stop() {
      await subscription.drain().catch(() => undefined);
    },
  };
}

function attempted(
  messageId: string,
  endpoint: string,
  result: Pick<PostResult, "httpStatus" | "error" | "latencyMs">,
): TestWebhookResponse {
  const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
  return {
    outcome: "attempted",
    messageId,
    endpoint,
    httpStatus: result.httpStatus,
    error: result.error,
    latencyMs: result.latencyMs,
    delivered: ok && result.error === null,
  };
}
