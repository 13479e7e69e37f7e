import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";

describe("loadConsoleConfig", () => {
  it("when nothing is set, it listens on 8087 with health on 8088 and gives 1 EUR of test credits", () => {
    const config = loadConsoleConfig({});
    expect(config.HTTP_PORT).toBe(8087);
    expect(config.HEALTH_PORT).toBe(8088);
    expect(config.TEST_CREDITS).toBe("1");
    expect(config.COOKIE_SECURE).toBe(false);
    expect(config.INGRESS_URL).toBe("http://127.0.0.1:8080");
  });

  it("when nothing is set, a session ends after 12 hours without use and 12 hours after log-in at the latest", () => {
    const config = loadConsoleConfig({});
    expect(config.SESSION_IDLE_HOURS).toBe(12);
    expect(config.SESSION_MAX_HOURS).toBe(12);
    expect(loadConsoleConfig({ SESSION_MAX_HOURS: "4" }).SESSION_MAX_HOURS).toBe(4);
    expect(() => loadConsoleConfig({ SESSION_MAX_HOURS: "0" })).toThrow(/SESSION_MAX_HOURS/);
  });

  it("when nothing is set, a password typed again counts 10 minutes, an invitation 72 hours, and two-factor has no key", () => {
    const config = loadConsoleConfig({});
    expect(config.REAUTH_MINUTES).toBe(10);
    expect(config.INVITATION_HOURS).toBe(72);
    expect(config.CONSOLE_SECRETS_KEY).toBeUndefined();
    expect(loadConsoleConfig({ REAUTH_MINUTES: "0" }).REAUTH_MINUTES).toBe(0);
    expect(() => loadConsoleConfig({ REAUTH_MINUTES: "-1" })).toThrow(/REAUTH_MINUTES/);
  });

  it("when CONSOLE_SECRETS_KEY is 32 bytes of base64 it is the key; anything else is refused at start", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConsoleConfig({ CONSOLE_SECRETS_KEY: key }).CONSOLE_SECRETS_KEY?.length).toBe(32);
    expect(loadConsoleConfig({ CONSOLE_SECRETS_KEY: "" }).CONSOLE_SECRETS_KEY).toBeUndefined();
    expect(() => loadConsoleConfig({ CONSOLE_SECRETS_KEY: "c2hvcnQ=" })).toThrow(
      /CONSOLE_SECRETS_KEY/,
    );
  });

  it("when PUBLIC_API_URL is unset or empty, there is none (INGRESS_URL is shown); set, it is kept", () => {
    expect(loadConsoleConfig({ PUBLIC_API_URL: "" }).PUBLIC_API_URL).toBeUndefined();
    expect(loadConsoleConfig({}).PUBLIC_API_URL).toBeUndefined();
    expect(loadConsoleConfig({ PUBLIC_API_URL: "https://api.example.com" }).PUBLIC_API_URL).toBe(
      "https://api.example.com",
    );
    expect(() => loadConsoleConfig({ PUBLIC_API_URL: "nope" })).toThrow(/PUBLIC_API_URL/);
  });

  it("when PUBLIC_SMPP_ADDRESS is unset, customers bind at 127.0.0.1:2875 (the local stack); a host:port is kept, anything else named", () => {
    expect(loadConsoleConfig({}).PUBLIC_SMPP_ADDRESS).toBe("127.0.0.1:2875");
    expect(
      loadConsoleConfig({ PUBLIC_SMPP_ADDRESS: "smpp.example.com:2875" }).PUBLIC_SMPP_ADDRESS,
    ).toBe("smpp.example.com:2875");
    expect(
      loadConsoleConfig({ PUBLIC_SMPP_ADDRESS: "[2001:db8::1]:2875" }).PUBLIC_SMPP_ADDRESS,
    ).toBe("[2001:db8::1]:2875");
    expect(() => loadConsoleConfig({ PUBLIC_SMPP_ADDRESS: "smpp://x:2875" })).toThrow(
      /PUBLIC_SMPP_ADDRESS/,
    );
  });

  it("when a value is wrong, it names the variable", () => {
    expect(() => loadConsoleConfig({ TEST_CREDITS: "lots" })).toThrow(ConfigError);
    expect(() => loadConsoleConfig({ INGRESS_URL: "nope" })).toThrow(/INGRESS_URL/);
  });

  it("when TRUST_PROXY is unset, false or 0, no proxy is trusted (the connection's address is the client)", () => {
    expect(loadConsoleConfig({}).TRUST_PROXY).toBe(0);
    expect(loadConsoleConfig({ TRUST_PROXY: "" }).TRUST_PROXY).toBe(0);
    expect(loadConsoleConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(0);
    expect(loadConsoleConfig({ TRUST_PROXY: "0" }).TRUST_PROXY).toBe(0);
  });

  it("when TRUST_PROXY is a number, it is the count of proxy hops; a list is the proxies' addresses and CIDRs", () => {
    expect(loadConsoleConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadConsoleConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(
      loadConsoleConfig({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.7,fd00::/8, loopback" }).TRUST_PROXY,
    ).toEqual(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "loopback"]);
  });

  it("when TRUST_PROXY is true (every hop) or not an address, it is refused with the reason", () => {
    expect(() => loadConsoleConfig({ TRUST_PROXY: "true" })).toThrow(
      /TRUST_PROXY.*number of proxies in front/,
    );
    expect(() => loadConsoleConfig({ TRUST_PROXY: "11" })).toThrow(/at most 10 proxy hops/);
    expect(() => loadConsoleConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(
      /"10.0.0.0\/33" has a prefix length outside 0-32/,
    );
    expect(() => loadConsoleConfig({ TRUST_PROXY: "10.0.0.1, proxy.local" })).toThrow(
      /"proxy.local" is not an IP address or CIDR/,
    );
  });
});
