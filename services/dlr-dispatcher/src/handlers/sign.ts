import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

/**
 * Keys by secret: accounts have one or two, decoding per attempt is waste, and an HMAC over a
 * KeyObject costs a fifth of one over a Buffer (node checks and imports a raw key each call).
 */
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 10_000;

/**
 * Standard Webhooks headers for one attempt: the id is the report's (the same on every
 * retry), the timestamp this attempt's; with several secrets (a rotation's grace period,
 * newest first) every one signs, space-separated, so a receiver holding either verifies.
 *
 * The signature is the spec's `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")),
 * the key being the secret's base64 after `whsec_`. Node's HMAC, not the reference library's
 * pure-JS SHA-256 (a tenth of the CPU); the tests verify with the reference library.
 */
export function signedHeaders(
  secrets: readonly string[],
  webhookId: string,
  now: Date,
  body: string,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signed = `${webhookId}.${timestamp}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac("sha256", keyOf(secret)).update(signed).digest("base64")}`,
  );
  return {
    "content-type": "application/json",
    "user-agent": "smsgw-webhooks/1",
    "webhook-id": webhookId,
    "webhook-timestamp": timestamp,
    "webhook-signature": signatures.join(" "),
  };
}

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
      throw new Error("the webhook secret is not base64");
    }
    key = createSecretKey(Buffer.from(encoded, "base64"));
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(secret, key);
  }
  return key;
}
