import {
  ALLOWED_IPS_PER_KEY,
  API_KEY_NAME_MAX,
  type ApiKeyRecord,
  ApiKeyScope,
  normalizeCidr,
} from "@smsgw/contracts";
import { z } from "zod";
import { Credentials, recordable } from "./api-schemas.ts";

/**
 * The shapes of `/v1/keys` (api.md section 8); the OpenAPI document is generated from them.
 */

const SCOPES =
  "`send`: send messages; `read`: messages, events, balance, prices, inbound; `manage`: API keys, numbers, opt-outs, callback settings";

export const CreateApiKey = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(API_KEY_NAME_MAX)
    // Pricing keeps it in the account's row (jsonb), which cannot hold a NUL.
    .superRefine(recordable("name"))
    .meta({ description: "what the key is for, for you", example: "billing backend" }),
  scopes: z
    .array(ApiKeyScope)
    .min(1)
    .max(ApiKeyScope.options.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, "scopes must not repeat")
    .meta({ description: SCOPES, example: ["send", "read"] }),
  allowedIps: z
    .array(
      z
        .string()
        .max(64)
        .refine((cidr) => normalizeCidr(cidr) !== null, "must be an IPv4 or IPv6 CIDR or address"),
    )
    .max(ALLOWED_IPS_PER_KEY)
    .optional()
    .meta({
      description: `up to ${ALLOWED_IPS_PER_KEY} CIDRs (IPv4 or IPv6; an address alone is /32 or /128) the key may be used from; absent or empty: anywhere`,
      example: ["203.0.113.0/24", "2001:db8::/32"],
    }),
  ...Credentials,
});
export type CreateApiKey = z.infer<typeof CreateApiKey>;

export const ApiKey = z.object({
  id: z.string().meta({ example: "key_3f9c2a7b1e0d4c5a6b7c" }),
  name: z.string(),
  scopes: z.array(ApiKeyScope),
  allowedIps: z.array(z.string()),
  createdAt: z.string().meta({ format: "date-time" }),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  secret: z.string().meta({
    description:
      "shown only in this answer: use it as `token` with the account's `hash` (or Basic `hash:secret`)",
  }),
});

export const ApiKeyList = z.object({ keys: z.array(ApiKey) });

export const RevokedApiKey = z.object({ id: z.string(), revoked: z.literal(true) });

/** The public view of a key: never its digest. */
export function toApiKey(key: ApiKeyRecord): ApiKey {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    allowedIps: key.allowedIps,
    createdAt: key.createdAt,
  };
}
