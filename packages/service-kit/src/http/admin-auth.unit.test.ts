import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { adminCallerOf, isAdminAuthorized } from "./admin-auth.ts";

describe("the admin token check", () => {
  const token = "a-long-enough-admin-token";
  it("when the Bearer token matches, it lets the request in", () => {
    expect(isAdminAuthorized(`Bearer ${token}`, token)).toBe(true);
  });
  it("when the header is missing, another scheme, a prefix or longer, it refuses", () => {
    for (const header of [
      undefined,
      "",
      `Basic ${token}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      "Bearer ",
    ]) {
      expect(isAdminAuthorized(header, token), String(header)).toBe(false);
    }
  });
});

describe("the admin caller", () => {
  const digest = (token: string) => createHash("sha256").update(token).digest();
  const credentials = {
    token: "the-shared-admin-token",
    operators: new Map([
      ["alice", digest("alices-token-0123456789")],
      ["bob", digest("bobs-token-0123456789")],
    ]),
  };
  it("when a named operator's token is presented, the caller is that operator", () => {
    expect(adminCallerOf("Bearer bobs-token-0123456789", credentials)).toEqual({
      kind: "operator",
      name: "bob",
    });
    expect(adminCallerOf("Bearer the-shared-admin-token", credentials)).toEqual({
      kind: "shared",
    });
  });
  it("when the token is nobody's, or absent, there is no caller", () => {
    for (const header of [undefined, "Bearer ", "Bearer bobs-token-012345678", "Basic x"]) {
      expect(adminCallerOf(header, credentials), String(header)).toBeUndefined();
    }
    expect(adminCallerOf("Bearer x", { operators: new Map() })).toBeUndefined();
  });
});
