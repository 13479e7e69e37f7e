import { describe, expect, it } from "vitest";
import { classifyAddress, isIpAddress, refusalOf } from "./address.ts";

describe("IPv4 address classes", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["168.63.129.16", "metadata"],
    ["169.254.10.1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["172.15.255.255", "public"],
    ["100.128.0.1", "public"],
    ["169.253.255.255", "public"],
    ["126.255.255.255", "public"],
    ["128.0.0.0", "public"],
  ])("when the address is %s, it is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe("IPv6 address classes", () => {
  it.each([
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["fd00:ec2::253", "private"],
    ["fe80::1%eth0", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["::7f00:1", "reserved"],
    ["2a00:1450:4001:82b::200e", "public"],
    ["2606:4700:4700::1111", "public"],
    ["[2606:4700:4700::1111]", "public"],
  ])("when the address is %s, it is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe("IPv4 inside IPv6 is judged as the IPv4 address", () => {
  it.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::FFFF:7F00:0001", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:0:10.0.0.1", "private"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::ffff:0:a9fe:a9fe", "metadata"],
    ["::ffff:0:168.63.129.16", "metadata"],
    ["::ffff:0:8.8.8.8", "public"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::8.8.8.8", "public"],
    ["64:ff9b:1::192.168.0.1", "private"],
    ["2002:c0a8:0101::1", "private"],
    ["2002:a9fe:a9fe::", "metadata"],
    ["2002:0808:0808::1", "public"],
  ])("when the address is %s, it is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe("text that is not an address", () => {
  it.each([
    "example.com",
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "0x7f.0.0.1",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "::ffff:1.2.3.999",
    "gggg::1",
    "12345::1",
  ])("when the text is %j, it has no class", (text) => {
    expect(classifyAddress(text)).toBeNull();
    expect(isIpAddress(text)).toBe(false);
  });
});

describe("resolved hosts", () => {
  it("when every address is public, the host is allowed", () => {
    expect(refusalOf("example.com", ["93.184.216.34", "2606:2800:220:1::1"])).toBeNull();
  });

  it("when any one address is not public, the host is refused; the reason names neither the address nor its kind (it reaches the customer)", () => {
    expect(refusalOf("sneaky.example", ["93.184.216.34", "10.0.0.5"])).toBe(
      "sneaky.example resolves to a non-public address",
    );
    expect(refusalOf("db.internal", ["127.0.0.1"])).toBe(
      "db.internal resolves to a non-public address",
    );
    expect(refusalOf("169.254.169.254", ["169.254.169.254"])).toBe(
      "169.254.169.254 is a metadata address",
    );
  });

  it("when a host resolves to nothing or to garbage, it is refused", () => {
    expect(refusalOf("void.example", [])).toBe("void.example resolved to no address");
    expect(refusalOf("odd.example", ["not-an-ip"])).toBe(
      "odd.example resolved to an address that is not an IP address",
    );
  });
});
