import { describe, expect, it } from "vitest";
import { classifyAddress, parseCallbackUrl, refusalOf } from "./destination.ts";

describe("callback URLs", () => {
  it("when a URL carries a query, user info or a fragment, the recorded endpoint keeps scheme, host and path only", () => {
    const parsed = parseCallbackUrl("https://user:pw@Hooks.Example.com:8443/dlr/in?token=s3cret#x");
    expect(parsed).toMatchObject({
      ok: true,
      endpoint: "https://hooks.example.com:8443/dlr/in",
      host: "hooks.example.com",
    });
  });

  it("when the scheme is not http or https, the URL is refused", () => {
    for (const text of ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"]) {
      expect(parseCallbackUrl(text)).toMatchObject({ ok: false });
    }
    expect(parseCallbackUrl("not a url")).toMatchObject({ ok: false, endpoint: "(invalid url)" });
  });

  it("when the host is an IPv6 literal, the brackets are dropped for classification", () => {
    expect(parseCallbackUrl("http://[::1]:8080/hook")).toMatchObject({ ok: true, host: "::1" });
  });

  it("when an IPv4 host is written in a shorthand form, the URL parser normalises it", () => {
    expect(parseCallbackUrl("http://2130706433/")).toMatchObject({ host: "127.0.0.1" });
    expect(parseCallbackUrl("http://0x7f.1/")).toMatchObject({ host: "127.0.0.1" });
  });
});

describe("address classes", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["169.254.10.1", "link_local"],
    ["0.0.0.0", "unspecified"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["169.253.255.255", "public"],
  ])("when the IPv4 address is %s, it is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fd00:ec2::254", "private"],
    ["fe80::1%eth0", "link_local"],
    ["febf:ffff::1", "link_local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2002:c0a8:0101::1", "private"],
    ["2001:db8::1", "reserved"],
    ["2a00:1450:4001:82b::200e", "public"],
    ["2606:4700:4700::1111", "public"],
    ["[2606:4700:4700::1111]", "public"],
  ])("when the IPv6 address is %s, it is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    "example.com",
    "1.2.3",
    "256.1.1.1",
    "01.2.3.4",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "::ffff:1.2.3.999",
    "gggg::1",
  ])("when the text %s is not an IP address, it has no class", (text) => {
    expect(classifyAddress(text)).toBeNull();
  });
});

describe("resolved hosts", () => {
  it("when every address is public, the host is allowed", () => {
    expect(refusalOf("example.com", ["93.184.216.34", "2606:2800:220:1::1"])).toBeNull();
  });

  it("when any one address is not public, the host is refused and the reason names it", () => {
    expect(refusalOf("sneaky.example", ["93.184.216.34", "10.0.0.5"])).toBe(
      "sneaky.example resolves to a private address (10.0.0.5)",
    );
    expect(refusalOf("169.254.169.254", ["169.254.169.254"])).toBe(
      "169.254.169.254 is a metadata address",
    );
  });

  it("when a host resolves to nothing, it is refused", () => {
    expect(refusalOf("void.example", [])).toBe("void.example resolved to no address");
  });
});
