import type { AccountRecord } from "@smsgw/contracts";

/** An active test account with SMPP credentials (system_id `acme`), as the tests bind it. */
export const smppAccount = (overrides: Partial<AccountRecord> = {}): AccountRecord => ({
  accountId: "acc_1",
  hash: "h1",
  tokenSha256: "0".repeat(64),
  status: "active",
  currency: "EUR",
  test: true,
  webhookSecrets: ["whsec_x"],
  updatedAt: "2026-12-06T00:00:00.000Z",
  smpp: { systemId: "acme", passwordHash: "scrypt$…" },
  ...overrides,
});
