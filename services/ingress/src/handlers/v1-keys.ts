import {
  type AccountRecord,
  API_KEY_ID,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  normalizeCidr,
  type RevokeApiKeyRequest,
  type RevokeApiKeyResponse,
} from "@smsgw/contracts";
import { apiError } from "@smsgw/message-acceptance";
import { type Logger, newApiKeySecret } from "@smsgw/service-kit";
import type { RequestHandler } from "express";
import { auditBy } from "../domain/access.ts";
import { describeIssue } from "../domain/api-schemas.ts";
import { CreateApiKey, toApiKey } from "../domain/key-schemas.ts";
import type { AccountLookup } from "./auth.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticatePrincipalV1, clientIpOf, type V1AuthDeps } from "./v1-auth.ts";

export interface KeysDeps extends V1AuthDeps {
  /** The accounts cache the authenticator reads: a change is answered once it is there. */
  accounts: AccountLookup;
  /** NATS request/reply to pricing (the keys' owner); throws when it does not answer. */
  askPricing: {
    createApiKey(request: CreateApiKeyRequest): Promise<CreateApiKeyResponse>;
    revokeApiKey(request: RevokeApiKeyRequest): Promise<RevokeApiKeyResponse>;
  };
  log: Logger;
  /** How long a change waits to be seen in this replica's cache before answering anyway. */
  settleMs: number;
}

const PRICING_DOWN = apiError("server_error", "pricing did not answer; retry");
const NO_SUCH_KEY = apiError("not_found", "no such API key");

/**
 * `POST /v1/keys`: a new key with the scopes asked. The secret is made here and only its
 * SHA-256 goes to pricing, which stores it in the account's record; the secret is in this
 * answer only. Answered once this replica's cache has the key, so it works at once here
 * (other replicas see the same KV update within a second).
 */
export function createKeyHandler(deps: KeysDeps): RequestHandler {
  return async (req, res) => {
    const principal = authenticatePrincipalV1(deps, req, res, "manage");
    if (!principal) return;
    const { account } = principal;
    const body = CreateApiKey.safeParse(req.body);
    if (!body.success) return sendError(res, apiError("invalid_params", describeIssue(body.error)));
    const { name, scopes } = body.data;
    // Canonical (the schema refused what does not parse), each once.
    const cidrs = (body.data.allowedIps ?? []).map((c) => normalizeCidr(c) ?? c);
    const allowedIps = [...new Set(cidrs)];

    const { id, secret, secretSha256 } = newApiKeySecret();
    let answer: CreateApiKeyResponse;
    try {
      answer = await deps.askPricing.createApiKey({
        accountId: account.accountId,
        key: { id, name, scopes, allowedIps, secretSha256 },
        by: auditBy(principal, clientIpOf(req)),
      });
    } catch (error) {
      deps.log.error({ err: error }, "create API key request failed");
      return sendError(res, PRICING_DOWN);
    }
    if (answer.outcome === "limit_reached") {
      return sendError(
        res,
        apiError(
          "invalid_params",
          `the account has ${answer.limit} API keys, the most it may hold; revoke one first`,
        ),
      );
    }
    if (answer.outcome !== "created") return sendError(res, PRICING_DOWN);
    await settled(deps, account, (record) => hasKey(record, id));
    sendJson(res, 201, { ...toApiKey(answer.key), secret });
  };
}

/** `GET /v1/keys`: the account's keys from the cache, never a secret or its digest. */
export function listKeysHandler(deps: KeysDeps): RequestHandler {
  return (req, res) => {
    const principal = authenticatePrincipalV1(deps, req, res, "manage");
    if (!principal) return;
    sendJson(res, 200, { keys: (principal.account.apiKeys ?? []).map(toApiKey) });
  };
}

/** `DELETE /v1/keys/:id`: revoked at once; answered once this replica no longer accepts it. */
export function revokeKeyHandler(deps: KeysDeps): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const principal = authenticatePrincipalV1(deps, req, res, "manage");
    if (!principal) return;
    const { account } = principal;
    const { id } = req.params;
    if (!API_KEY_ID.test(id)) return sendError(res, NO_SUCH_KEY);
    let answer: RevokeApiKeyResponse;
    try {
      answer = await deps.askPricing.revokeApiKey({
        accountId: account.accountId,
        keyId: id,
        by: auditBy(principal, clientIpOf(req)),
      });
    } catch (error) {
      deps.log.error({ err: error }, "revoke API key request failed");
      return sendError(res, PRICING_DOWN);
    }
    if (answer.outcome === "not_found") return sendError(res, NO_SUCH_KEY);
    if (answer.outcome !== "revoked") return sendError(res, PRICING_DOWN);
    await settled(deps, account, (record) => !hasKey(record, id));
    sendJson(res, 200, { id, revoked: true });
  };
}

function hasKey(record: AccountRecord | undefined, id: string): boolean {
  return record?.apiKeys?.some((key) => key.id === id) ?? false;
}

const POLL_MS = 10;

/** Waits (at most settleMs) until this replica's copy of the account passes `done`. */
async function settled(
  deps: KeysDeps,
  account: AccountRecord,
  done: (record: AccountRecord | undefined) => boolean,
): Promise<void> {
  const until = deps.now() + deps.settleMs;
  while (!done(deps.accounts.get(account.hash)) && deps.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
