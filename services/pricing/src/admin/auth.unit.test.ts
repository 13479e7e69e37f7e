import { describe, expect, it } from "vitest";
import { isAdminAuthorized } from "./auth.ts";

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
