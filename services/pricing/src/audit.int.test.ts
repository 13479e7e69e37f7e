import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountOperations } from "./accounts.ts";
import { recordAudit } from "./audit.ts";
import { openTestAccounts, type TestAccounts } from "./testing/account-operations.ts";

// The audit log of keys, the token (issue 22) and SMPP credentials (issue 19): exactly one entry per change, in the
// change's transaction, with the caller's verified identity; none for a refused change.
let opened: TestAccounts;
let database: TestAccounts["database"];
let accounts: AccountOperations;

beforeAll(async () => {
  opened = await openTestAccounts("audit-test", 2);
  ({ database, accounts } = opened);
});
afterAll(() => opened?.close());

/** The account's entries but its creation's, newest first. */
const changes = async (accountId: string, limit?: number) =>
  (await accounts.audit(accountId, limit)).filter((e) => e.action !== "account.created");

const key = (n: number) => ({
  id: `key_${n.toString(16).padStart(20, "0")}`,
  name: `backend ${n}`,
  scopes: ["send" as const],
  allowedIps: ["203.0.113.0/24"],
  secretSha256: "a".repeat(64),
});

describe("the audit log of keys and the token", () => {
  it("when a key is created, it records one entry: the key, who, from where, no digest", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-create", credits: "1" });
    const by = { actor: "api:token", ip: "198.51.100.7" };
    await accounts.createApiKey(accountId, key(1), by);
    const entries = await changes(accountId);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        action: "api_key.created",
        actor: "api:token",
        ip: "198.51.100.7",
        target: key(1).id,
        details: { name: "backend 1", scopes: ["send"], allowedIps: ["203.0.113.0/24"] },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain("a".repeat(64));
  });

  it("when a key is revoked, it records one entry; revoking it again records none", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-revoke", credits: "1" });
    await accounts.createApiKey(accountId, key(2), { actor: "console:usr_1", ip: "127.0.0.1" });
    const by = { actor: `api:${key(3).id}`, ip: "2001:db8::1" };
    expect(await accounts.revokeApiKey(accountId, key(2).id, by)).toBe(true);
    expect(await accounts.revokeApiKey(accountId, key(2).id, by)).toBe(false);
    const entries = await changes(accountId);
    expect(entries.map((e) => [e.action, e.actor, e.ip, e.target])).toEqual([
      ["api_key.revoked", `api:${key(3).id}`, "2001:db8::1", key(2).id],
      ["api_key.created", "console:usr_1", "127.0.0.1", key(2).id],
    ]);
  });

  it("when the token is rotated, it records one entry with who asked (an operator when unsaid)", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-token", credits: "1" });
    await accounts.rotateToken(accountId, { actor: "console:usr_2", ip: "192.0.2.1" });
    await accounts.rotateToken("audit-token");
    const entries = await changes(accountId);
    expect(entries.map((e) => [e.action, e.actor, e.ip, e.target])).toEqual([
      ["token.rotated", "operator", null, null],
      ["token.rotated", "console:usr_2", "192.0.2.1", null],
    ]);
  });

  it("when the SMPP credentials are rotated, it records one entry with the system_id, never the password or its hash", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-smpp", credits: "1" });
    const rotated = await accounts.rotateSmppCredentials(accountId, undefined, {
      actor: "console:usr_3",
      ip: "192.0.2.9",
    });
    await accounts.rotateSmppCredentials("audit-smpp");
    const entries = await changes(accountId);
    expect(entries.map((e) => [e.action, e.actor, e.ip, e.target, e.details])).toEqual([
      ["smpp_credentials.rotated", "operator", null, null, { systemId: "audit-smpp" }],
      ["smpp_credentials.rotated", "console:usr_3", "192.0.2.9", null, { systemId: "audit-smpp" }],
    ]);
    const [row] = await database.db
      .selectFrom("accounts")
      .select("smpp_password_hash")
      .where("account_id", "=", accountId)
      .execute();
    expect(JSON.stringify(entries)).not.toContain(rotated.password);
    expect(JSON.stringify(entries)).not.toContain(String(row?.smpp_password_hash));
  });

  it("when an SMPP rotation is refused (a system_id taken), it records nothing", async () => {
    await accounts.createAccount({ name: "audit-smpp-a", credits: "1" });
    const { accountId } = await accounts.createAccount({ name: "audit-smpp-b", credits: "1" });
    await accounts.rotateSmppCredentials("audit-smpp-a");
    await expect(accounts.rotateSmppCredentials(accountId, "audit-smpp-a")).rejects.toThrow(
      /belongs to another account/,
    );
    expect(await changes(accountId)).toEqual([]);
  });

  it("when a key is refused (the account is full), it records nothing", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-full", credits: "1" });
    const by = { actor: "api:token", ip: null };
    for (let i = 0; i < 20; i++) await accounts.createApiKey(accountId, key(100 + i), by);
    expect((await accounts.createApiKey(accountId, key(200), by)).outcome).toBe("limit_reached");
    expect(await changes(accountId, 500)).toHaveLength(20);
  });
});

describe("the audit log of the account's settings and money", () => {
  const by = { actor: "operator:bob", ip: "192.0.2.44" };
  /** The entries after the account's creation, oldest first. */
  const oldestFirst = async (accountId: string) =>
    (await changes(accountId, 500)).reverse().map((e) => [e.action, e.actor, e.ip, e.details]);

  it("when an account is created, it records one entry with who, the currency, test and credits", async () => {
    const { accountId } = await accounts.createAccount({
      name: "audit-created",
      credits: "2.5",
      test: false,
      by,
    });
    expect((await accounts.audit(accountId)).map((e) => [e.action, e.actor, e.details])).toEqual([
      [
        "account.created",
        "operator:bob",
        { name: "audit-created", currency: "EUR", test: false, credits: 25_000 },
      ],
    ]);
  });

  it("when credits are added or adjusted, it records one entry each with the amount and note; a refused adjustment records none", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-money", credits: "1" });
    await accounts.topUp(accountId, "10", "operator:bob", "invoice 42", by);
    await accounts.adjust(accountId, "-0.5", "cli:alice", "goodwill back");
    await expect(accounts.adjust(accountId, "-100", "cli:alice", "too much")).rejects.toThrow(
      /below zero/,
    );
    expect(await oldestFirst(accountId)).toEqual([
      [
        "credits.topped_up",
        "operator:bob",
        "192.0.2.44",
        { amount: 100_000, currency: "EUR", note: "invoice 42" },
      ],
      [
        "credits.adjusted",
        "cli:alice",
        null,
        { amount: -5_000, currency: "EUR", note: "goodwill back" },
      ],
    ]);
  });

  it("when the account is disabled and enabled, it records one entry each", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-status", credits: "1" });
    await accounts.disable(accountId, by);
    await accounts.enable(accountId);
    expect(await oldestFirst(accountId)).toEqual([
      ["account.disabled", "operator:bob", "192.0.2.44", {}],
      ["account.enabled", "operator", null, {}],
    ]);
  });

  it("when the webhook secret is rotated, it records one entry without the secret", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-webhook", credits: "1" });
    const { webhookSecret } = await accounts.rotateWebhookSecret(accountId, {
      actor: "console:usr_9",
      ip: "198.51.100.2",
    });
    expect(await oldestFirst(accountId)).toEqual([
      ["webhook_secret.rotated", "console:usr_9", "198.51.100.2", {}],
    ]);
    expect(JSON.stringify(await accounts.audit(accountId))).not.toContain(webhookSecret);
  });

  it("when countries are blocked and unblocked, it records one entry each with the countries; a refused list records none", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-countries", credits: "1" });
    await accounts.blockCountries(accountId, ["ee", "LV"], by);
    await accounts.unblockCountries(accountId, ["LV"], by);
    await expect(accounts.blockCountries(accountId, ["Estonia"], by)).rejects.toThrow(/ISO 3166/);
    expect(await oldestFirst(accountId)).toEqual([
      ["countries.blocked", "operator:bob", "192.0.2.44", { countries: ["EE", "LV"] }],
      ["countries.unblocked", "operator:bob", "192.0.2.44", { countries: ["LV"] }],
    ]);
  });

  it("when the limits are set and cleared, it records one entry each with the limits", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-limits", credits: "1" });
    await accounts.setLimits(accountId, { accountRatePerSec: 50 }, by);
    await accounts.setLimits(accountId, null, by);
    expect(await oldestFirst(accountId)).toEqual([
      ["limits.set", "operator:bob", "192.0.2.44", { limits: { accountRatePerSec: 50 } }],
      ["limits.set", "operator:bob", "192.0.2.44", { limits: null }],
    ]);
  });

  it("when the default callback URL is set or cleared, it records the host only (a URL may carry a token)", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-callback", credits: "1" });
    await accounts.setDefaultCallbackUrl(accountId, "https://hooks.example.com/sms?key=s3cr3t", by);
    await accounts.setDefaultCallbackUrl(accountId, null, by);
    expect(await oldestFirst(accountId)).toEqual([
      ["default_callback_url.set", "operator:bob", "192.0.2.44", { host: "hooks.example.com" }],
      ["default_callback_url.set", "operator:bob", "192.0.2.44", { host: null }],
    ]);
    expect(JSON.stringify(await accounts.audit(accountId))).not.toContain("s3cr3t");
  });
});

describe("the audit log itself", () => {
  it("when someone tries to change or delete an entry, the database refuses", async () => {
    await expect(
      sql`update audit_log set actor = 'someone else'`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
  });
});

describe("the console's team changes", () => {
  it("when the console sends the same entry twice (its answer was lost), one entry is recorded", async () => {
    const { accountId } = await accounts.createAccount({ name: "audit-team", credits: "1" });
    const entry = {
      accountId,
      entryId: "aud_0123456789abcdefghij",
      action: "member.invited" as const,
      by: { actor: "console:usr_owner", ip: "198.51.100.9" },
      target: "inv_1",
      details: { email: "dev@example.com", role: "viewer" },
    };
    await recordAudit(database.db, entry);
    await recordAudit(database.db, entry);
    await recordAudit(database.db, { ...entry, entryId: "aud_0123456789abcdefghik" });
    const entries = (await accounts.audit(accountId)).filter((e) => e.action === "member.invited");
    expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
      ["member.invited", "console:usr_owner", "inv_1"],
      ["member.invited", "console:usr_owner", "inv_1"],
    ]);
  });
});
