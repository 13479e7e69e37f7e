import { describe, expect, it } from "vitest";
import { isAllowedIp, normalizeCidr } from "./ip-allowlist.ts";

describe("CIDRs", () => {
  it("when written loosely, they are stored as the network and its length", () => {
    expect(normalizeCidr("203.0.113.7/24")).toBe("203.0.113.0/24");
    expect(normalizeCidr("2001:DB8::1/32")).toBe("2001:db8::/32");
    expect(normalizeCidr("198.51.100.9")).toBe("198.51.100.9/32");
    expect(normalizeCidr("::1")).toBe("::1/128");
  });

  it("when malformed or IPv4-mapped, they are refused", () => {
    for (const bad of [
      "10.0.0.0/33",
      "10.0.0/8",
      "0x0a.0.0.1",
      "",
      "example.com",
      "::ffff:10.0.0.0/104",
      "10.0.0.0/8/8",
    ]) {
      expect(normalizeCidr(bad)).toBeNull();
    }
    expect(isAllowedIp("10.1.2.3", ["bogus", "10.0.0.0/8"])).toBe(true);
  });
});
