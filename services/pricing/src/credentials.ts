import { createHash, randomBytes } from "node:crypto";

/**
 * The secrets of an account. The token is shown once and only its SHA-256 is kept:
 * 256 random bits need no slow hash. The webhook secret signs delivery reports
 * (Standard Webhooks: `whsec_` + base64 of the key), so it is kept as it is.
 */
export function newAccountId(): string {
  return `acc_${randomBytes(10).toString("hex")}`;
}

/** The public half of the credentials: random, URL-safe, a valid NATS KV key. */
export function newHash(): string {
  return randomBytes(16).toString("base64url");
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
