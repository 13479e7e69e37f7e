import { describe, expect, it } from "vitest";
import {
  endpointOf,
  hostOf,
  literalAddressVerdict,
  MAX_CALLBACK_URL_LENGTH,
  originOf,
  parseCallbackUrl,
} from "./url.ts";

function parsed(text: string): URL {
  const result = parseCallbackUrl(text);
  if (!result.ok) throw new Error(result.reason);
  return result.url;
}

describe("parseCallbackUrl", () => {
  it("when the URL is http or https with a host, it is accepted", () => {
    expect(parseCallbackUrl("https://hooks.example.com/dlr?token=x")).toMatchObject({ ok: true });
    expect(parseCallbackUrl("http://[2606:4700::1]:8080/x")).toMatchObject({ ok: true });
  });

  it.each([
    "https://hooks.example.com/",
    "https://hooks.example.com:443/",
    "http://hooks.example.com:80/",
    "http://hooks.example.com:443/",
    "https://hooks.example.com:80/",
    "https://hooks.example.com:1024/",
    "https://hooks.example.com:8443/",
    "https://hooks.example.com:65535/",
  ])("when the URL %j names port 80, 443, 1024 or above (or none), the port is allowed", (text) => {
    expect(parseCallbackUrl(text)).toMatchObject({ ok: true });
  });

  it.each([
    ["ftp://example.com/x", /scheme ftp/],
    ["file:///etc/passwd", /scheme file/],
    ["gopher://example.com/", /scheme gopher/],
    ["javascript:alert(1)", /scheme javascript/],
    ["not a url", /whitespace/],
    ["/relative/path", /not a valid absolute URL/],
    ["", /empty/],
    [" https://example.com/", /whitespace/],
    ["https://example.com/\nx", /control/],
    ["https://user:pw@example.com/", /user info/],
    ["https://bank.example@evil.example/", /user info/],
    ["https://:pw@example.com/", /user info/],
    ["https://hooks.example.com:25/x", /port 25 is not allowed \(80, 443 or 1024-65535\)/],
    ["http://hooks.example.com:22/", /port 22 is not allowed/],
    ["https://hooks.example.com:1023/", /port 1023 is not allowed/],
    ["http://hooks.example.com:0/", /port 0 is not allowed/],
  ])("when the URL is %j, it is refused (%s)", (text, reason) => {
    const result = parseCallbackUrl(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("when the URL is longer than the limit, it is refused", () => {
    const base = "https://example.com/";
    expect(
      parseCallbackUrl(base + "a".repeat(MAX_CALLBACK_URL_LENGTH - base.length)),
    ).toMatchObject({ ok: true });
    expect(
      parseCallbackUrl(base + "a".repeat(MAX_CALLBACK_URL_LENGTH - base.length + 1)),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/longer than 2048/),
    });
  });
});

describe("hosts, endpoints and origins", () => {
  it("when a URL has a query and a fragment, the endpoint keeps scheme, host and path only", () => {
    expect(endpointOf(parsed("https://Hooks.Example.com:8443/dlr/in?token=s3cret#x"))).toBe(
      "https://hooks.example.com:8443/dlr/in",
    );
  });

  it("when the host is an IPv6 literal or ends with a root dot, hostOf gives the bare host", () => {
    expect(hostOf(parsed("http://[::1]:8080/hook"))).toBe("::1");
    expect(hostOf(parsed("http://Example.COM./hook"))).toBe("example.com");
  });

  it("when two URLs differ only in path, they share an origin; a different port is another origin", () => {
    expect(originOf(parsed("https://a.example/x"))).toBe(
      originOf(parsed("https://a.example:443/y")),
    );
    expect(originOf(parsed("https://a.example/x"))).not.toBe(
      originOf(parsed("https://a.example:8443/x")),
    );
  });
});

describe("literalAddressVerdict", () => {
  const strict = { allowPrivate: false };

  it.each([
    ["http://127.0.0.1:8080/x", /127\.0\.0\.1 is a loopback address/],
    ["http://2130706433/", /127\.0\.0\.1 is a loopback/],
    ["http://0x7f.1/", /127\.0\.0\.1 is a loopback/],
    ["http://[::1]/", /::1 is a loopback/],
    ["http://[::ffff:127.0.0.1]/", /loopback/],
    ["http://[64:ff9b::a9fe:a9fe]/", /metadata/],
    ["http://169.254.169.254/latest/meta-data/", /metadata/],
    ["http://[fd00:ec2::254]/", /metadata/],
    ["http://10.0.0.8/", /private/],
    ["http://192.168.1.1/", /private/],
    ["http://[fe80::1]/", /link-local/],
    ["http://0.0.0.0/", /unspecified/],
    ["http://localhost:3000/", /localhost is a loopback/],
    ["http://api.localhost/", /loopback/],
    ["http://LOCALHOST./", /loopback/],
  ])("when the URL is %s, it is refused (%s)", (text, reason) => {
    const verdict = literalAddressVerdict(parsed(text), strict);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toMatch(reason);
  });

  it("when the host is a public address or a name, it is allowed (names are judged after resolution)", () => {
    expect(literalAddressVerdict(parsed("https://8.8.8.8/x"), strict)).toEqual({ allowed: true });
    expect(literalAddressVerdict(parsed("https://[2606:4700::1111]/x"), strict)).toEqual({
      allowed: true,
    });
    expect(literalAddressVerdict(parsed("https://hooks.example.com/x"), strict)).toEqual({
      allowed: true,
    });
  });

  it("when the operator allows private addresses, loopback is allowed", () => {
    expect(
      literalAddressVerdict(parsed("http://127.0.0.1:8080/x"), { allowPrivate: true }),
    ).toEqual({
      allowed: true,
    });
  });
});
