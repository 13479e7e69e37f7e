import { Webhook } from "standardwebhooks";
import type { AttemptResult } from "../domain/attempt.ts";

/**
 * Standard Webhooks headers for one attempt: the id is the report's, the timestamp
 * this attempt's; with several secrets (a rotation's grace period) every one signs,
 * space-separated, so receivers holding either secret verify.
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

/**
 * One POST with a deadline. Redirects are not followed (a 3xx is a failed attempt);
 * user info in the URL becomes Basic authorization, as fetch refuses it in the URL.
 */
export async function postReport(
  target: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const { url, authorization } = splitCredentials(target);
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: authorization ? { ...headers, authorization } : headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = latency();
    // The answer's body is not read: release the connection at once.
    await response.body?.cancel().catch(() => undefined);
    const redirected = response.status >= 300 && response.status < 400;
    return {
      httpStatus: response.status,
      error: redirected ? "redirects are not followed" : null,
      latencyMs,
    };
  } catch (error) {
    return { httpStatus: null, error: describeFetchError(error, timeoutMs), latencyMs: latency() };
  }
}

function splitCredentials(target: URL): { url: URL; authorization: string | null } {
  if (target.username === "" && target.password === "") return { url: target, authorization: null };
  const url = new URL(target);
  const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
  url.username = "";
  url.password = "";
  return { url, authorization: `Basic ${Buffer.from(user).toString("base64")}` };
}

/** A short, stable reason: "timeout after 5000 ms", "ECONNREFUSED", … never a stack. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `timeout after ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === "object") {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
    const message = cause instanceof Error ? cause.message : undefined;
    if (code && message) return message.includes(code) ? message : `${code}: ${message}`;
    if (message || code) return message || code || "";
  }
  return error instanceof Error ? error.message : String(error);
}
