import { createHash, randomBytes } from "node:crypto";
import { KEY_SECRET_SEPARATOR } from "@smsgw/contracts";

/**
 * A new API key's id and secret (contracts api-key.ts, ADR 0018), made by whoever shows the
 * secret to the account holder (ingress's `POST /v1/keys`, the console's keys page): the
 * secret is `<id>.<256 random bits, base64url>` and only its SHA-256 goes to pricing.
 */
export function newApiKeySecret(): { id: string; secret: string; secretSha256: string } {
  const id = `key_${randomBytes(10).toString("hex")}`;
  const secret = `${id}${KEY_SECRET_SEPARATOR}${randomBytes(32).toString("base64url")}`;
  const secretSha256 = createHash("sha256").update(secret, "utf8").digest("hex");
  return { id, secret, secretSha256 };
}
