import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadSmppServerConfig } from "./config.ts";

describe("smpp-server config", () => {
  it("when nothing is set, the defaults fit the local stack and api.md", () => {
    const config = loadSmppServerConfig({});
    expect(config.SMPP_PORT).toBe(2875);
    expect(config.SMPP_HOST).toBe("127.0.0.1");
    expect(config.HEALTH_PORT).toBe(8090);
    expect(config.SMPP_MAX_BINDS).toBe(4);
    expect(config.SMPP_WINDOW).toBe(10);
    expect(config.ACCOUNT_RATE_PER_SEC).toBe(1_000);
    expect(config.MAX_PARTS).toBe(10);
  });

  it("when nothing is set, a receipt is kept until its message's validity ends but at least an hour, 72 hours without a validity", () => {
    const config = loadSmppServerConfig({});
    expect(config.SMPP_RECEIPT_MIN_KEEP_MS).toBe(3_600_000);
    expect(config.SMPP_RECEIPT_TTL_HOURS).toBe(72);
    expect(loadSmppServerConfig({ SMPP_RECEIPT_MIN_KEEP_MS: "500" }).SMPP_RECEIPT_MIN_KEEP_MS).toBe(
      500,
    );
    expect(() => loadSmppServerConfig({ SMPP_RECEIPT_MIN_KEEP_MS: "0" })).toThrow(
      /SMPP_RECEIPT_MIN_KEEP_MS/,
    );
  });

  it("when a limit is not a positive integer, start-up fails naming it", () => {
    expect(() => loadSmppServerConfig({ SMPP_WINDOW: "0" })).toThrow(ConfigError);
    expect(() => loadSmppServerConfig({ SMPP_MAX_BINDS: "two" })).toThrow(/SMPP_MAX_BINDS/);
  });

  it("when SMPP_PORT is 0, any free port is taken (tests)", () => {
    expect(loadSmppServerConfig({ SMPP_PORT: "0" }).SMPP_PORT).toBe(0);
  });

  it("when SMPP_TLS_PORT is set without its key and certificate, start-up fails naming them", () => {
    expect(() => loadSmppServerConfig({ SMPP_TLS_PORT: "3550" })).toThrow(/SMPP_TLS_KEY_FILE/);
    const tls = loadSmppServerConfig({
      SMPP_TLS_PORT: "3550",
      SMPP_TLS_KEY_FILE: "/k.pem",
      SMPP_TLS_CERT_FILE: "/c.pem",
    });
    expect(tls.SMPP_TLS_PORT).toBe(3550);
    expect(loadSmppServerConfig({ SMPP_TLS_PORT: "" }).SMPP_TLS_PORT).toBeUndefined();
  });
});
