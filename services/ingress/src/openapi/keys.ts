import { API_KEYS_PER_ACCOUNT } from "@smsgw/contracts";

/**
 * The `/v1/keys` part of the OpenAPI document (api.md section 8). It takes the document's
 * helpers so that both describe errors and bodies the same way.
 */
type Json = Record<string, unknown>;

export interface DocumentParts {
  ref(name: string): Json;
  json(schema: Json, example?: unknown): Json;
  errorResponse(description: string, example?: Json): Json;
  /** 401, 403, 429 and 500 as every authenticated route answers them. */
  errors: Record<string, Json>;
}

export const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "1-255 visible ASCII characters, unique per message (or batch) you mean to send",
  schema: { type: "string", maxLength: 255 },
};

const MANAGE =
  "Needs a credential with the `manage` scope (the account's token has every scope); another key gets 403 `forbidden`.";

export const KEY_SCOPES_DESCRIPTION =
  "API keys authenticate like the account's token (`hash` with the key's secret as `token`, or Basic `hash:secret`), limited to their scopes (`send`: send messages and cancel scheduled ones; `read`: messages, events, balance, prices; `manage`: API keys and callback settings) and, when they have one, to their IP allowlist; a request outside either is 403 `forbidden`. `/v1/phone/format` takes any credential.";

export function keyPaths(parts: DocumentParts): Json {
  const { ref, json, errorResponse, errors } = parts;
  const keyId = {
    name: "keyId",
    in: "path",
    required: true,
    schema: { type: "string", pattern: "^key_[0-9a-f]{20}$" },
  };
  return {
    "/v1/keys": {
      get: {
        operationId: "listApiKeys",
        tags: ["keys"],
        summary: "The account's API keys (never their secrets)",
        description: MANAGE,
        responses: {
          "200": { description: "the keys, oldest first", content: json(ref("ApiKeyList")) },
          ...errors,
        },
      },
      post: {
        operationId: "createApiKey",
        tags: ["keys"],
        summary: "Create an API key",
        description: `${MANAGE} The secret is in this answer only (it is stored hashed): keep it. An account holds at most ${API_KEYS_PER_ACCOUNT} keys. To rotate without downtime: create a new key, move your clients to it, revoke the old one. The key works on this server as soon as this answer arrives, and everywhere within a second.`,
        requestBody: { required: true, content: json(ref("CreateApiKey")) },
        responses: {
          "201": {
            description: "created; `secret` is shown only now",
            content: json(ref("CreatedApiKey"), {
              id: "key_3f9c2a7b1e0d4c5a6b7c",
              name: "billing backend",
              scopes: ["send", "read"],
              allowedIps: ["203.0.113.0/24"],
              secret: "key_3f9c2a7b1e0d4c5a6b7c.q3Vt0bq9rM7oGx2C4yWmZP1hFJd8sLkE5aNTuYcRvBw",
              createdAt: "2026-12-06T09:30:00.000Z",
            }),
          },
          "400": errorResponse(
            `invalid_params: name (1-64 characters), scopes (one or more of send, read, manage, no repeats) or allowedIps (up to 16 IPv4 or IPv6 CIDRs) is wrong, an unknown field was sent, or the account already holds ${API_KEYS_PER_ACCOUNT} keys`,
          ),
          ...errors,
        },
      },
    },
    "/v1/keys/{keyId}": {
      delete: {
        operationId: "revokeApiKey",
        tags: ["keys"],
        summary: "Revoke an API key",
        description: `${MANAGE} The key is refused (401 auth_failed) on this server as soon as this answer arrives, and everywhere within a second. A key may revoke itself.`,
        parameters: [keyId],
        responses: {
          "200": { description: "revoked", content: json(ref("RevokedApiKey")) },
          "404": errorResponse("not_found: the account has no such key"),
          ...errors,
        },
      },
    },
  };
}
