import {
  TestWebhookResponse as Schema,
  subjects,
  type TestWebhookResponse,
} from "@smsgw/contracts";
import type { Nats } from "@smsgw/service-kit";

/**
 * The console's request to the dlr-dispatcher (contracts webhook-test.ts): one signed test
 * report to the account's default callback URL. The wait covers the dispatcher's own
 * attempt deadline (WEBHOOK_TIMEOUT_MS, 5 s by default), so it is longer than pricing's.
 */
export function createDispatcherClient(nats: Nats, prefix: string, timeoutMs: number) {
  const subject = subjects(prefix).testWebhook;
  return {
    async testWebhook(accountId: string): Promise<TestWebhookResponse> {
      let reply: unknown;
      try {
        reply = (
          await nats.nc.request(subject, JSON.stringify({ accountId }), { timeout: timeoutMs })
        ).json();
      } catch {
        // No dispatcher, or it took too long: an answer the page shows, not a failure.
        return { outcome: "error", reason: "the webhook dispatcher did not answer; try again" };
      }
      const parsed = Schema.safeParse(reply);
      return parsed.success
        ? parsed.data
        : { outcome: "error", reason: "the webhook dispatcher answered something unexpected" };
    },
  };
}
export type DispatcherClient = ReturnType<typeof createDispatcherClient>;
