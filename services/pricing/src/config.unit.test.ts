import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_LIST_CSV, loadPricingConfig } from "./config.ts";

describe("pricing configuration", () => {
  it("when nothing is set, it uses the local defaults", () => {
    const config = loadPricingConfig({});
    expect(config.HEALTH_PORT).toBe(8081);
    expect(config.NATS_PREFIX).toBe("sms");
    expect(config.PRICE_LIST_CSV).toBe(DEFAULT_PRICE_LIST_CSV);
    expect(DEFAULT_PRICE_LIST_CSV).toMatch(/services\/pricing\/data\/prices\.csv$/);
    expect(config.AUTHORIZE_BATCH_WINDOW_MS).toBe(2);
    expect(config.AUTHORIZE_MAX_BATCH).toBe(200);
    expect(config.AUTHORIZE_MAX_CONCURRENT).toBe(1);
  });

  it("when values are given as strings, they are coerced", () => {
    const config = loadPricingConfig({
      HEALTH_PORT: "0",
      AUTHORIZE_BATCH_WINDOW_MS: "5",
      AUTHORIZE_MAX_BATCH: "500",
      PRICE_LIST_CSV: "/tmp/prices.csv",
    });
    expect(config.HEALTH_PORT).toBe(0);
    expect(config.AUTHORIZE_BATCH_WINDOW_MS).toBe(5);
    expect(config.AUTHORIZE_MAX_BATCH).toBe(500);
    expect(config.PRICE_LIST_CSV).toBe("/tmp/prices.csv");
  });

  it("when a value is out of range, it fails with one line naming the variable", () => {
    expect(() => loadPricingConfig({ AUTHORIZE_BATCH_WINDOW_MS: "1000" })).toThrow(ConfigError);
    expect(() => loadPricingConfig({ HEALTH_PORT: "http" })).toThrow(/HEALTH_PORT/);
  });

  it("when the admin token is unset or empty the admin API is off; a short one is refused", () => {
    const config = loadPricingConfig({});
    expect(config.ADMIN_TOKEN).toBeUndefined();
    expect(config.ADMIN_PORT).toBe(8091);
    expect(config.ADMIN_HOST).toBe("127.0.0.1");
    expect(config.REFUND_GRACE_MS).toBe(300_000);
    expect(config.WEBHOOK_SECRET_GRACE_MS).toBe(86_400_000);
    expect(loadPricingConfig({ ADMIN_TOKEN: "" }).ADMIN_TOKEN).toBeUndefined();
    expect(() => loadPricingConfig({ ADMIN_TOKEN: "short" })).toThrow(ConfigError);
  });

  it("when ACCEPT_WINDOW_MS is unset, it is a minute, or a quarter of a shorter refund grace; over half the grace is refused", () => {
    expect(loadPricingConfig({}).ACCEPT_WINDOW_MS).toBe(60_000);
    expect(loadPricingConfig({ REFUND_GRACE_MS: "15000" }).ACCEPT_WINDOW_MS).toBe(3_750);
    expect(loadPricingConfig({ ACCEPT_WINDOW_MS: "90000" }).ACCEPT_WINDOW_MS).toBe(90_000);
    expect(() => loadPricingConfig({ ACCEPT_WINDOW_MS: "200000" })).toThrow(/ACCEPT_WINDOW_MS/);
  });
});
