import { describe, expect, it } from "vitest";
import { clientKeyOf } from "./client-key.ts";

describe("clientKeyOf: the key of a client address's rate limit", () => {
  it("when addresses share an IPv6 /64, they share one key, however they are written", () => {
    const key = clientKeyOf("2001:db8:aa:1::1");
    expect(key).toBe("2001:db8:aa:1::/64");
    for (const ip of [
      "2001:db8:aa:1::2",
      "2001:db8:aa:1:ffff:ffff:ffff:ffff",
      "2001:0db8:00aa:0001:1234:5678:9abc:def0",
      "[2001:db8:aa:1::9]",
      "2001:DB8:AA:1::9%eth0",
    ]) {
      expect(clientKeyOf(ip), ip).toBe(key);
    }
  });

  it("when IPv6 addresses are in other /64s, they have other keys", () => {
    expect(clientKeyOf("2001:db8:aa:2::1")).toBe("2001:db8:aa:2::/64");
    expect(clientKeyOf("::1")).toBe("0:0:0:0::/64");
  });

  it("when an IPv4 address comes as IPv4 or mapped into IPv6, it is the same key", () => {
    expect(clientKeyOf("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKeyOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKeyOf("::ffff:cb00:7107")).toBe("203.0.113.7");
  });

  it("when the address does not parse, it is its own key", () => {
    expect(clientKeyOf("unknown")).toBe("unknown");
  });
});
