import {
  CreateApiKeyRequest,
  type CreateApiKeyResponse,
  RevokeApiKeyRequest,
  type RevokeApiKeyResponse,
} from "@smsgw/contracts";
import type { ApiKeyOperations } from "../api-keys.ts";
import { type QueryOptions, respond } from "./queries.ts";

/**
 * `POST` and `DELETE /v1/keys` (and the console's keys page): ingress authenticated the
 * caller with the `manage` scope, made the secret and sends its digest only, so no answer
 * here carries a secret. The account is republished before the answer.
 */
export interface ApiKeyRpcOptions extends QueryOptions {
  accounts: ApiKeyOperations;
}

export function startApiKeyResponders(options: ApiKeyRpcOptions): { stop(): Promise<void> } {
  const { accounts } = options;

  async function create(request: CreateApiKeyRequest): Promise<CreateApiKeyResponse> {
    const created = await accounts.createApiKey(request.accountId, request.key);
    if (created.outcome === "not_found") {
      return { outcome: "error", reason: `unknown account ${request.accountId}` };
    }
    return created;
  }

  async function revoke(request: RevokeApiKeyRequest): Promise<RevokeApiKeyResponse> {
    const revoked = await accounts.revokeApiKey(request.accountId, request.keyId);
    return { outcome: revoked ? "revoked" : "not_found" };
  }

  const subscriptions = [
    respond(options, options.subjects.createApiKey, CreateApiKeyRequest, create),
    respond(options, options.subjects.revokeApiKey, RevokeApiKeyRequest, revoke),
  ];
  return {
    async stop() {
      await Promise.allSettled(subscriptions.map((s) => s.drain()));
    },
  };
}
