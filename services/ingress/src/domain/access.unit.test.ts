import type { AccountRecord, ApiKeyRecord } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { checkAccess, scopesOf } from "./access.ts";

const account = { accountId: "acc_1", hash: "h" } as AccountRecord;
const key = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: "key_0123456789abcdef0123",
  name: "k",
  scopes: ["send"],
  allowedIps: [],
  secretSha256: "0".repeat(64),
  createdAt: "2026-12-06T00:00:00.000Z",
  ...overrides,
});

describe("an API key's access", () => {
  it("when the account's token is used, every scope is allowed from anywhere", () => {
    const token = { account, key: null };
    expect(scopesOf(token)).toEqual(["send", "read", "manage"]);
    expect(checkAccess(token, "manage", "198.51.100.1")).toBeNull();
  });

  it("when a key lacks the scope, it is forbidden naming the scope", () => {
    const refusal = checkAccess({ account, key: key({ scopes: ["read"] }) }, "send", "127.0.0.1");
    expect(refusal).toEqual({
      status: "forbidden",
      message: "this API key does not have the send scope",
    });
    expect(checkAccess({ account, key: key({ scopes: ["read"] }) }, null, "127.0.0.1")).toBeNull();
  });

  it("when a key has an allowlist, only its addresses may use it", () => {
    const listed = { account, key: key({ allowedIps: ["203.0.113.0/24", "2001:db8::/32"] }) };
    expect(checkAccess(listed, "send", "203.0.113.9")).toBeNull();
    expect(checkAccess(listed, "send", "::ffff:203.0.113.9")).toBeNull();
    expect(checkAccess(listed, "send", "2001:db8:5::1")).toBeNull();
    expect(checkAccess(listed, "send", "203.0.114.1")?.status).toBe("forbidden");
    expect(checkAccess(listed, "send", "2001:db9::1")?.status).toBe("forbidden");
    expect(checkAccess(listed, "send", "not an address")?.status).toBe("forbidden");
  });
});
