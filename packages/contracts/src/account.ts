import { z } from "zod";
import { API_KEYS_PER_ACCOUNT, ApiKeyRecord } from "./api-key.ts";

/**
 * An account's credentials as pricing (their owner) publishes them to the accounts
 * KV bucket, keyed by `hash`. Ingress and the dispatcher keep it in memory: the API
 * authenticates without a database round trip and is invalidated by the KV watch.
 */
export const AccountRecord = z.object({
  accountId: z.string(),
  hash: z.string(),
  /** SHA-256 of the token, hex. Tokens are 256-bit random, so a fast hash is enough. */
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
  status: z.enum(["active", "disabled"]),
  currency: z.string(),
  test: z.boolean(),
  /**
   * Records published before the secrets had a bucket of their own carried them here
   * (`WebhookSecretsRecord`); pricing no longer does, so ingress and the SMPP server never
   * see them. Read only as a fallback by the dispatcher.
   */
  webhookSecrets: z.array(z.string()).min(1).optional(),
  updatedAt: z.iso.datetime(),
  /** Per-account overrides of the API's rate limits (api.md: "per account too"). */
  limits: z
    .object({
      ipRatePerSec: z.number().positive().optional(),
      accountRatePerSec: z.number().positive().optional(),
      accountBurst: z.number().positive().optional(),
      /** SMPP (api.md section 6): binds the account may hold at once, across replicas' sessions. */
      smppMaxBinds: z.number().int().positive().optional(),
      /** SMPP: requests a bind may have unanswered (its window). */
      smppWindow: z.number().int().positive().optional(),
    })
    .optional(),
  /** ISO 3166 alpha-2 countries this account may not send to. */
  blockedCountries: z.array(z.string().length(2)).optional(),
  /**
   * Where delivery reports of a message sent without a callbackUrl go (ingress applies it
   * at acceptance; the dispatcher sends test webhooks to it). Judged by the callback guard
   * when set. Absent or null: such messages get no reports.
   */
  defaultCallbackUrl: z.string().max(2048).nullable().optional(),
  /**
   * The account's SMPP credentials (api.md section 6), when it has any: the system_id and
   * the scrypt hash of the password (ADR 0012); smpp-server verifies binds against it.
   */
  smpp: z.object({ systemId: z.string().max(15), passwordHash: z.string() }).optional(),
  /** The account's API keys (api-key.ts), digests only; absent when it has none. */
  apiKeys: z.array(ApiKeyRecord).max(API_KEYS_PER_ACCOUNT).optional(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

/**
 * An account's webhook signing secrets (`whsec_<base64>`; the first signs, all are sent during
 * a rotation's grace period), published by pricing to a bucket of their own, keyed by the
 * account's `hash` like its record: only the dispatcher may read it (ADR 0015), where the
 * accounts bucket is read by every door.
 */
export const WebhookSecretsRecord = z.object({
  accountId: z.string(),
  hash: z.string(),
  webhookSecrets: z.array(z.string()).min(1),
  updatedAt: z.iso.datetime(),
});
export type WebhookSecretsRecord = z.infer<typeof WebhookSecretsRecord>;
