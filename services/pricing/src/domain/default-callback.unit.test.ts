import { describe, expect, it } from "vitest";
import { checkDefaultCallbackUrl } from "./default-callback.ts";

describe("checkDefaultCallbackUrl", () => {
  it("when empty or null, it clears the default", () => {
    expect(checkDefaultCallbackUrl(null, false)).toEqual({ ok: true, value: null });
    expect(checkDefaultCallbackUrl("  ", false)).toEqual({ ok: true, value: null });
  });

  it("when a public https URL, it keeps it as given (trimmed)", () => {
    expect(checkDefaultCallbackUrl(" https://hooks.example.com/sms?k=1 ", false)).toEqual({
      ok: true,
      value: "https://hooks.example.com/sms?k=1",
    });
  });

  it("when not http(s), with user info or too long, it refuses with the guard's reason", () => {
    for (const url of [
      "ftp://example.com/x",
      "https://user:pw@example.com/x",
      `https://example.com/${"a".repeat(2100)}`,
      "not a url",
    ]) {
      const verdict = checkDefaultCallbackUrl(url, false);
      expect(verdict.ok, url).toBe(false);
      if (!verdict.ok) expect(verdict.reason).toMatch(/^callback URL refused: /);
    }
  });

  it("when a literal loopback, private or metadata host, it refuses unless private is allowed", () => {
    for (const url of [
      "http://127.0.0.1:9000/hook",
      "http://localhost/hook",
      "http://10.1.2.3/hook",
      "http://169.254.169.254/latest",
    ]) {
      expect(checkDefaultCallbackUrl(url, false).ok, url).toBe(false);
    }
    expect(checkDefaultCallbackUrl("http://127.0.0.1:9000/hook", true)).toEqual({
      ok: true,
      value: "http://127.0.0.1:9000/hook",
    });
  });
});
