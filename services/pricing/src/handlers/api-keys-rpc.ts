import {
  ConsoleAccountRequest,
  type ConsoleAuditResponse,
  type ConsoleKeysResponse,
  ConsoleRecordAuditRequest,
  type ConsoleRecordAuditResponse,
  CreateApiKeyRequest,
  type CreateApiKeyResponse,
  consoleRpcSubjects,
  RevokeApiKeyRequest,
  type RevokeApiKeyResponse,
} from "@smsgw/contracts";
import type { Kysely } from "kysely";
import type { ApiKeyOperations } from "../api-keys.ts";
import { listAudit, recordAudit } from "../audit.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { type QueryOptions, respond } from "./queries.ts";

/**
 * API keys: asked by ingress (`POST` and `DELETE /v1/keys`, for a caller it authenticated
 * with the `manage` scope) and by the console's keys page (for the signed-in session's
 * account), each on its own subjects (ADR 0015: the console's are its only). The caller made
 * the secret and sends its digest only, so no answer here carries a secret. The account is
 * republished before the answer; each change has its audit entry (audit.ts), whose `by` is
 * the caller's: the credential ingress verified, or the console's signed-in user.
 */
export interface ApiKeyRpcOptions extends QueryOptions {
  accounts: ApiKeyOperations;
}

export function startApiKeyResponders(options: ApiKeyRpcOptions): { stop(): Promise<void> } {
  const { accounts, db } = options;

  async function create(request: CreateApiKeyRequest): Promise<CreateApiKeyResponse> {
    const created = await accounts.createApiKey(request.accountId, request.key, request.by);
    if (created.outcome === "not_found") return unknown(request.accountId);
    return created;
  }

  async function revoke(request: RevokeApiKeyRequest): Promise<RevokeApiKeyResponse> {
    const revoked = await accounts.revokeApiKey(request.accountId, request.keyId, request.by);
    return { outcome: revoked ? "revoked" : "not_found" };
  }

  async function list(request: ConsoleAccountRequest): Promise<ConsoleKeysResponse> {
    const keys = await keysOf(db, request.accountId);
    if (!keys) return unknown(request.accountId);
    return { outcome: "keys", keys: keys.map(({ secretSha256: _, ...view }) => view) };
  }

  async function audit(request: ConsoleAccountRequest): Promise<ConsoleAuditResponse> {
    return { outcome: "entries", entries: await listAudit(db, request.accountId) };
  }

  /**
   * A team change the console made and verified (members, passwords, two-factor, sessions):
   * the console owns those records, pricing the one audit log of the account.
   */
  async function record(request: ConsoleRecordAuditRequest): Promise<ConsoleRecordAuditResponse> {
    if ((await keysOf(db, request.accountId)) === undefined) {
      // For good: the console sets the entry aside instead of asking again.
      return { outcome: "refused", reason: unknown(request.accountId).reason };
    }
    await recordAudit(db, request);
    return { outcome: "recorded" };
  }

  const { subjects } = options;
  const consoleSubjects = consoleRpcSubjects(subjects.prefix);
  const subscriptions = [
    respond(options, subjects.createApiKey, CreateApiKeyRequest, create),
    respond(options, subjects.revokeApiKey, RevokeApiKeyRequest, revoke),
    respond(options, consoleSubjects.keys, ConsoleAccountRequest, list),
    respond(options, consoleSubjects.createKey, CreateApiKeyRequest, create),
    respond(options, consoleSubjects.revokeKey, RevokeApiKeyRequest, revoke),
    respond(options, consoleSubjects.audit, ConsoleAccountRequest, audit),
    respond(options, consoleSubjects.recordAudit, ConsoleRecordAuditRequest, record),
  ];
  return {
    async stop() {
      await Promise.allSettled(subscriptions.map((s) => s.drain()));
    },
  };
}

async function keysOf(db: Kysely<PricingDatabase>, accountId: string) {
  const row = await db
    .selectFrom("accounts")
    .select("api_keys")
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row?.api_keys;
}

function unknown(accountId: string) {
  return { outcome: "error" as const, reason: `unknown account ${accountId}` };
}
