import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadEventStoreConfig } from "./config.ts";

describe("event-store configuration", () => {
  it("when nothing is set, it uses the local defaults", () => {
    const config = loadEventStoreConfig({});
    expect(config).toMatchObject({
      HEALTH_PORT: 8085,
      HTTP_HOST: "127.0.0.1",
      MAX_BATCH: 500,
      NATS_PREFIX: "sms",
      RETENTION_DAYS: 30,
      RETENTION_INTERVAL_MS: 60_000,
      STREAM_ERASER_INTERVAL_MS: 2_000,
    });
  });

  it("when the retention is set below a day, it fails naming the variable", () => {
    expect(() => loadEventStoreConfig({ RETENTION_DAYS: "0" })).toThrowError(/RETENTION_DAYS/);
    expect(loadEventStoreConfig({ RETENTION_DAYS: "7" }).RETENTION_DAYS).toBe(7);
  });

  it("when values are given as strings, they are coerced", () => {
    const config = loadEventStoreConfig({
      HEALTH_PORT: "0",
      MAX_BATCH: "100",
    });
    expect(config).toMatchObject({ HEALTH_PORT: 0, MAX_BATCH: 100 });
  });

  it("when a value is out of range, it fails naming the variable", () => {
    expect(() => loadEventStoreConfig({ MAX_BATCH: "0" })).toThrowError(ConfigError);
    expect(() => loadEventStoreConfig({ HEALTH_PORT: "70000" })).toThrowError(/HEALTH_PORT/);
  });
});
