import { RETENTION_POLICY_KEY, type RetentionPolicy } from "@smsgw/contracts";
import type postgres from "postgres";
import { listRetentionOverrides } from "../db/erasure.ts";

/** What this needs of the KV bucket (service-kit's openBucket gives it). */
interface PolicyBucket {
  get(key: string): Promise<{ operation: string; string(): string } | null>;
  put(key: string, value: string): Promise<unknown>;
}

/** Puts the accounts' retention into the bucket when it changed (ADR 0021, amendment 2). */
export type RetentionPolicyPublisher = () => Promise<void>;

/**
 * The event store owns the retention (RETENTION_DAYS and `retention_overrides`); the inbound
 * service erases its MO by the same days, read from the one key of the bucket this writes.
 * Run at start and before every retention run, so an operator's change through the CLI (which
 * writes the table only) reaches the bucket within RETENTION_INTERVAL_MS. A put only when the
 * policy differs from the bucket's: nothing is written while nothing changes.
 */
export function createRetentionPolicyPublisher(
  kv: PolicyBucket,
  sql: postgres.Sql,
  defaultDays: number,
): RetentionPolicyPublisher {
  let published: string | undefined;
  return async () => {
    const overrides = await listRetentionOverrides(sql);
    const policy: RetentionPolicy = {
      defaultDays,
      accounts: Object.fromEntries(overrides.map((o) => [o.accountId, o.days])),
    };
    const value = JSON.stringify(policy);
    if (published === undefined) {
      const current = await kv.get(RETENTION_POLICY_KEY);
      if (current?.operation === "PUT") published = current.string();
    }
    if (value === published) return;
    await kv.put(RETENTION_POLICY_KEY, value);
    published = value;
  };
}
