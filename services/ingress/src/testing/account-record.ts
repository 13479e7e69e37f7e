import { createHash } from "node:crypto";
import { AccountRecord } from "@smsgw/contracts";

/**
 * An active account's record as pricing publishes it, whose token is `token` (stored as its
 * SHA-256, ADR 0006); `overrides` set the rest.
 */
export function accountRecordWithToken(
  token: string,
  overrides: Partial<AccountRecord> & Pick<AccountRecord, "accountId" | "hash">,
): AccountRecord {
  return AccountRecord.parse({
    tokenSha256: createHash("sha256").update(token).digest("hex"),
    status: "active",
    currency: "EUR",
    test: false,
    webhookSecrets: ["whsec_dGVzdA=="],
    updatedAt: new Date().toISOString(),
    ...overrides,
  });
}
