import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadDlrDispatcherConfig } from "./config.ts";

describe("dlr-dispatcher config", () => {
  it("when nothing is set, the defaults are safe and fit the local machine", () => {
    const config = loadDlrDispatcherConfig({});
    expect(config).toMatchObject({
      HEALTH_PORT: 8084,
      HTTP_HOST: "127.0.0.1",
      WEBHOOK_ALLOW_PRIVATE: false,
      WEBHOOK_TIMEOUT_MS: 5_000,
      WEBHOOK_RETRY_WINDOW_MS: 86_400_000,
      WEBHOOK_CONCURRENCY: 256,
      WEBHOOK_ORIGIN_CONCURRENCY: 32,
      WEBHOOK_ORIGIN_MAX_CONCURRENCY: 128,
      WEBHOOK_SLOW_MS: 1_000,
    });
  });

  it("when the per-host bound is not set, it is half of all slots; set, it is what is set", () => {
    expect(loadDlrDispatcherConfig({}).WEBHOOK_HOST_CONCURRENCY).toBe(128);
    expect(loadDlrDispatcherConfig({ WEBHOOK_CONCURRENCY: "40" }).WEBHOOK_HOST_CONCURRENCY).toBe(
      20,
    );
    expect(loadDlrDispatcherConfig({ WEBHOOK_CONCURRENCY: "1" }).WEBHOOK_HOST_CONCURRENCY).toBe(1);
    expect(
      loadDlrDispatcherConfig({ WEBHOOK_HOST_CONCURRENCY: "64" }).WEBHOOK_HOST_CONCURRENCY,
    ).toBe(64);
    expect(() => loadDlrDispatcherConfig({ WEBHOOK_HOST_CONCURRENCY: "0" })).toThrow(
      /WEBHOOK_HOST_CONCURRENCY/,
    );
  });

  it("when private callbacks are allowed by the environment, the flag reads true; 'false' reads false", () => {
    expect(loadDlrDispatcherConfig({ WEBHOOK_ALLOW_PRIVATE: "true" }).WEBHOOK_ALLOW_PRIVATE).toBe(
      true,
    );
    expect(loadDlrDispatcherConfig({ WEBHOOK_ALLOW_PRIVATE: "false" }).WEBHOOK_ALLOW_PRIVATE).toBe(
      false,
    );
  });

  it("when a value is malformed, start-up fails naming the variable", () => {
    expect(() => loadDlrDispatcherConfig({ WEBHOOK_ALLOW_PRIVATE: "maybe" })).toThrow(ConfigError);
    expect(() => loadDlrDispatcherConfig({ WEBHOOK_TIMEOUT_MS: "-1" })).toThrow(
      /WEBHOOK_TIMEOUT_MS/,
    );
  });
});
