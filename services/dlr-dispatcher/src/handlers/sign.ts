import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks headers for one attempt: the id is the report's (the same on every
 * retry), the timestamp this attempt's; with several secrets (a rotation's grace period,
 * newest first) every one signs, space-separated, so a receiver holding either verifies.
 */
export function signedHeaders(
  secrets: readonly string[],
  webhookId: string,
  now: Date,
  body: string,
): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(webhookId, now, body));
  return {
    "content-type": "application/json",
    "user-agent": "smsgw-webhooks/1",
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
