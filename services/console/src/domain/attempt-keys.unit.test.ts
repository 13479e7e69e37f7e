import { describe, expect, it } from "vitest";
import { attemptKeys, clientKey } from "./attempt-keys.ts";

describe("attemptKeys: what a typed secret counts against and what a right one clears", () => {
  it("when the password is right, the email's count is cleared and not the user's codes'", () => {
    const password = attemptKeys({ kind: "password", email: "a@example.com", ip: "192.0.2.1" });
    expect(password.clearedWhenRight).toEqual(["email:a@example.com"]);
    const code = attemptKeys({ kind: "code", userId: "usr_1", ip: "192.0.2.1" });
    expect(code.counted).toContain("codes:usr_1");
    expect(password.clearedWhenRight).not.toContain("codes:usr_1");
  });

  it("when a code is right, the user's codes are cleared and the client's attempt only given back", () => {
    const code = attemptKeys({ kind: "code", userId: "usr_1", ip: "192.0.2.1" });
    expect(code).toEqual({
      counted: ["codes:usr_1", "ip:192.0.2.1"],
      clearedWhenRight: ["codes:usr_1"],
    });
  });

  it("when the password and a code are typed again, both counts are taken and cleared together", () => {
    const both = attemptKeys({
      kind: "password and code",
      email: "a@example.com",
      userId: "usr_1",
      ip: "192.0.2.1",
    });
    expect(both.counted).toEqual(["email:a@example.com", "codes:usr_1", "ip:192.0.2.1"]);
    expect(both.clearedWhenRight).toEqual(["email:a@example.com", "codes:usr_1"]);
  });

  it("when IPv6 clients share a /64, they share one client key; IPv4 on a dual-stack socket is the IPv4 address", () => {
    expect(clientKey("2001:db8:aa:1::1")).toBe("ip:2001:db8:aa:1::/64");
    expect(clientKey("2001:db8:aa:1:ffff::9")).toBe(clientKey("2001:db8:aa:1::1"));
    expect(clientKey("2001:db8:aa:2::1")).not.toBe(clientKey("2001:db8:aa:1::1"));
    expect(clientKey("::ffff:192.0.2.7")).toBe("ip:192.0.2.7");
  });
});
