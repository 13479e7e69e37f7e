import { z } from "zod";
import { AuditBy } from "./audit.ts";
import { normalizeCidr } from "./ip-allowlist.ts";

/**
 * API keys (api.md section 8): credentials of an account besides its token, each with
 * scopes and an optional IP allowlist. Pricing owns them and publishes them inside the
 * account's record (ADR 0018), so ingress authenticates a key from the same in-memory cache
 * as the token and a revocation reaches every replica with the record's next KV update.
 */

/** `send`: send messages; `read`: messages, events, balance, prices, inbound; `manage`: keys, numbers, opt-outs, callback settings. */
export const ApiKeyScope = z.enum(["send", "read", "manage"]);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;
export const ALL_SCOPES: readonly ApiKeyScope[] = ApiKeyScope.options;

/** Keys an account may hold at once: enough for one per service and a rotation, and a bounded record. */
export const API_KEYS_PER_ACCOUNT = 20;
/** CIDRs in one key's allowlist. */
export const ALLOWED_IPS_PER_KEY = 16;
export const API_KEY_NAME_MAX = 64;

/** `key_` and 20 hex digits: public, it names the key in the API and inside its secret. */
export const API_KEY_ID = /^key_[0-9a-f]{20}$/;

/**
 * A key's secret is `<keyId>.<43 base64url characters>` (256 random bits). The id inside it
 * lets ingress find the key directly: a wrong secret costs one SHA-256, however many keys
 * the account has. An account token is base64url, which has no '.', so the two never mix.
 */
export const KEY_SECRET_SEPARATOR = ".";

/** The key id a presented secret names, or null when it is not shaped like a key's secret. */
export function keyIdOfSecret(secret: string): string | null {
  const dot = secret.indexOf(KEY_SECRET_SEPARATOR);
  if (dot < 0) return null;
  const id = secret.slice(0, dot);
  return API_KEY_ID.test(id) ? id : null;
}

/** One key as the account record carries it: its digest, never the secret. */
export const ApiKeyRecord = z.object({
  id: z.string().regex(API_KEY_ID),
  name: z.string().min(1).max(API_KEY_NAME_MAX),
  scopes: z.array(ApiKeyScope).min(1).max(ALL_SCOPES.length),
  /** CIDRs (IPv4 or IPv6, canonical: `normalizeCidr`) a request must come from; empty: anywhere. */
  allowedIps: z
    .array(
      z
        .string()
        .max(64)
        .refine((cidr) => normalizeCidr(cidr) === cidr, "must be a CIDR in its canonical form"),
    )
    .max(ALLOWED_IPS_PER_KEY),
  /** SHA-256 of the whole secret, hex (random 256 bits: a fast hash is enough, ADR 0006). */
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** ingress or the console -> pricing: add this key (made and hashed by the caller). */
export const CreateApiKeyRequest = z.object({
  accountId: z.string().min(1).max(64),
  key: ApiKeyRecord.omit({ createdAt: true }),
  /** Who asked, as the caller verified it: the audit log's entry. */
  by: AuditBy,
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const CreateApiKeyResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("created"), key: ApiKeyRecord }),
  /** The account holds API_KEYS_PER_ACCOUNT keys already. */
  z.object({ outcome: z.literal("limit_reached"), limit: z.number().int() }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponse>;

/** ingress or the console -> pricing: remove this key of this account. */
export const RevokeApiKeyRequest = z.object({
  accountId: z.string().min(1).max(64),
  keyId: z.string().regex(API_KEY_ID),
  by: AuditBy,
});
export type RevokeApiKeyRequest = z.infer<typeof RevokeApiKeyRequest>;

export const RevokeApiKeyResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("revoked") }),
  z.object({ outcome: z.literal("not_found") }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type RevokeApiKeyResponse = z.infer<typeof RevokeApiKeyResponse>;

/** A key as the account holder sees it: never its digest. */
export const ApiKeyView = ApiKeyRecord.omit({ secretSha256: true });
export type ApiKeyView = z.infer<typeof ApiKeyView>;

/** console -> pricing: the account's keys, oldest first. */
export const ConsoleKeysResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("keys"), keys: z.array(ApiKeyView) }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type ConsoleKeysResponse = z.infer<typeof ConsoleKeysResponse>;
