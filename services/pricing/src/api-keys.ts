import {
  API_KEYS_PER_ACCOUNT,
  type ApiKeyRecord,
  type AuditBy,
  type CreateApiKeyRequest,
} from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import { LATER } from "./account-common.ts";
import { recordAudit } from "./audit.ts";
import type { AccountRow, PricingDatabase } from "./db/schema.ts";

/**
 * An account's API keys (api.md section 8), kept in the account's row (`api_keys`) so that
 * every change is republished with the account's record, through the same retry as a token
 * rotation (accounts.ts `publish`). Each change is one update, with its audit entry in the
 * same transaction: the row lock orders concurrent creates, and the count bound is checked
 * in the statement that adds.
 */
export type CreateApiKeyOutcome =
  | { outcome: "created"; key: ApiKeyRecord }
  | { outcome: "limit_reached"; limit: number }
  | { outcome: "not_found" };

export interface ApiKeyOperations {
  /** Adds a key the caller made (its digest only); refused past API_KEYS_PER_ACCOUNT. */
  createApiKey(
    accountId: string,
    key: CreateApiKeyRequest["key"],
    by: AuditBy,
  ): Promise<CreateApiKeyOutcome>;
  /** Removes the key; false when the account has no such key. */
  revokeApiKey(accountId: string, keyId: string, by: AuditBy): Promise<boolean>;
}

export interface ApiKeyDeps {
  db: Kysely<PricingDatabase>;
  publish(row: AccountRow): Promise<void>;
}

export function createApiKeyOperations(deps: ApiKeyDeps): ApiKeyOperations {
  const { db, publish } = deps;
  // Parameters are cast from text: postgres.js would send a string bound to jsonb as a JSON string.

  async function createApiKey(
    accountId: string,
    key: CreateApiKeyRequest["key"],
    by: AuditBy,
  ): Promise<CreateApiKeyOutcome> {
    const record: ApiKeyRecord = { ...key, createdAt: new Date().toISOString() };
    const row = await db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        .set({
          api_keys: sql<string>`api_keys || jsonb_build_array(${JSON.stringify(record)}::text::jsonb)`,
          updated_at: LATER,
        })
        .where("account_id", "=", accountId)
        .where(sql<boolean>`jsonb_array_length(api_keys) < ${API_KEYS_PER_ACCOUNT}`)
        .returningAll()
        .executeTakeFirst();
      if (updated) {
        const { name, scopes, allowedIps } = key;
        const details = { name, scopes, allowedIps };
        await recordAudit(tx, {
          accountId,
          action: "api_key.created",
          by,
          target: key.id,
          details,
        });
      }
      return updated;
    });
    if (row) {
      await publish(row);
      return { outcome: "created", key: record };
    }
    const exists = await db
      .selectFrom("accounts")
      .select("account_id")
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return exists
      ? { outcome: "limit_reached", limit: API_KEYS_PER_ACCOUNT }
      : { outcome: "not_found" };
  }

  async function revokeApiKey(accountId: string, keyId: string, by: AuditBy): Promise<boolean> {
    const row = await db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        .set({
          api_keys: sql<string>`coalesce(
          (select jsonb_agg(k order by i) from jsonb_array_elements(api_keys) with ordinality as e(k, i)
            where k->>'id' <> ${keyId}),
          '[]'::jsonb)`,
          updated_at: LATER,
        })
        .where("account_id", "=", accountId)
        .where(sql<boolean>`api_keys @> ${JSON.stringify([{ id: keyId }])}::text::jsonb`)
        .returningAll()
        .executeTakeFirst();
      if (updated) {
        await recordAudit(tx, { accountId, action: "api_key.revoked", by, target: keyId });
      }
      return updated;
    });
    if (!row) return false;
    await publish(row);
    return true;
  }

  return { createApiKey, revokeApiKey };
}
