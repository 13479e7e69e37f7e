import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadIngressConfig } from "./config.ts";

describe("loadIngressConfig", () => {
  it("when nothing is set, it uses the local defaults and api.md's limits", () => {
    const config = loadIngressConfig({});
    expect(config).toMatchObject({
      HTTP_PORT: 8080,
      HTTP_HOST: "127.0.0.1",
      HEALTH_PORT: 8089,
      TRUST_PROXY: false,
      MAX_PARTS: 10,
      MAX_BODY_BYTES: 65_536,
      IP_RATE_PER_SEC: 100,
      IP_BURST: 100,
      ACCOUNT_RATE_PER_SEC: 1_000,
      ACCOUNT_BURST: 10_000,
      AUTHORIZE_TIMEOUT_MS: 5_000,
      REQUEST_TIMEOUT_MS: 30_000,
      NATS_PREFIX: "sms",
    });
  });

  it("when values are given as strings, it coerces them", () => {
    const config = loadIngressConfig({
      HTTP_PORT: "0",
      TRUST_PROXY: "true",
      MAX_PARTS: "3",
      IP_RATE_PER_SEC: "5",
      ACCOUNT_RATE_PER_SEC: "0.5",
    });
    expect(config.HTTP_PORT).toBe(0);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.MAX_PARTS).toBe(3);
    expect(config.IP_RATE_PER_SEC).toBe(5);
    expect(config.ACCOUNT_RATE_PER_SEC).toBe(0.5);
  });

  it("when TRUST_PROXY is 'false', it stays off", () => {
    expect(loadIngressConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
  });

  it("when a value is invalid, it fails naming the variable", () => {
    expect(() => loadIngressConfig({ MAX_PARTS: "0", HTTP_PORT: "x" })).toThrow(ConfigError);
    expect(() => loadIngressConfig({ MAX_PARTS: "0" })).toThrow(/MAX_PARTS/);
    expect(() => loadIngressConfig({ HTTP_PORT: "70000" })).toThrow(/HTTP_PORT/);
    expect(() => loadIngressConfig({ IP_RATE_PER_SEC: "0" })).toThrow(/IP_RATE_PER_SEC/);
  });

  it("when nothing is set, admission control is on, answers admitted sends within 100 ms at p90 (60 ms and down to 32 in flight while overloaded) and hands them to a carrier within 10 s", () => {
    expect(loadIngressConfig({})).toMatchObject({
      ADMISSION_ENABLED: true,
      ADMISSION_TARGET_LATENCY_MS: 100,
      ADMISSION_OVERLOAD_TARGET_LATENCY_MS: 60,
      ADMISSION_MIN_IN_FLIGHT: 64,
      ADMISSION_OVERLOAD_MIN_IN_FLIGHT: 32,
      ADMISSION_MAX_DELAY_MS: 10_000,
      ADMISSION_POLL_MS: 1_000,
      ADMISSION_IGNORE_DURABLES: [],
    });
  });

  it("when nothing is set, the limits are synced across replicas every 100 ms; 0 keeps them per replica", () => {
    expect(loadIngressConfig({}).RATE_LIMIT_SYNC_MS).toBe(100);
    expect(loadIngressConfig({ RATE_LIMIT_SYNC_MS: "0" }).RATE_LIMIT_SYNC_MS).toBe(0);
    expect(() => loadIngressConfig({ RATE_LIMIT_SYNC_MS: "-1" })).toThrow(/RATE_LIMIT_SYNC_MS/);
  });

  it("when ADMISSION_IGNORE_DURABLES lists names, it reads them trimmed, without empties", () => {
    const config = loadIngressConfig({ ADMISSION_IGNORE_DURABLES: " pricing-accepted, ,x " });
    expect(config.ADMISSION_IGNORE_DURABLES).toEqual(["pricing-accepted", "x"]);
    expect(() => loadIngressConfig({ ADMISSION_POLL_MS: "10" })).toThrow(/ADMISSION_POLL_MS/);
  });
});
