import { describe, expect, it } from "vitest";
import { cookieName, parseCookies, setCookie } from "./cookies.ts";

describe("cookies", () => {
  it("when a header has several cookies, it reads each; odd values are ignored", () => {
    const cookies = parseCookies("a=1; console_sid=abc_DEF-1; bad=<script>; a=2");
    expect(cookies.get("a")).toBe("1");
    expect(cookies.get("console_sid")).toBe("abc_DEF-1");
    expect(cookies.has("bad")).toBe(false);
  });

  it("when a cookie is set, it is HttpOnly with its SameSite, and Secure only when asked", () => {
    expect(setCookie("s", "v", { sameSite: "Lax", secure: false, maxAgeSeconds: 60 })).toBe(
      "s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
    );
    expect(setCookie("s", "v", { sameSite: "Strict", secure: true })).toContain("Secure");
  });

  it("when served over HTTPS, a cookie's name has the __Host- prefix and it is Secure, Path=/, without a Domain; over HTTP the name is plain", () => {
    const name = cookieName("console_csrf", true);
    expect(name).toBe("__Host-console_csrf");
    const line = setCookie(name, "v", { sameSite: "Strict", secure: false });
    expect(line).toBe("__Host-console_csrf=v; Path=/; HttpOnly; SameSite=Strict; Secure");
    expect(line).not.toMatch(/Domain=/i);
    expect(cookieName("console_csrf", false)).toBe("console_csrf");
  });
});
