import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";

describe("inbound config", () => {
  it("when nothing is set, the defaults fit the local machine and the admin API is off", () => {
    const config = loadInboundConfig({});
    expect(config).toMatchObject({
      HEALTH_PORT: 8094,
      HTTP_HOST: "127.0.0.1",
      INBOUND_CONCAT_TIMEOUT_MS: 60_000,
      INBOUND_SWEEP_MS: 5_000,
      STREAM_ERASER_INTERVAL_MS: 2_000,
      ADMIN_PORT: 8095,
    });
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it("when a value is malformed, start-up fails naming the variable", () => {
    expect(() => loadInboundConfig({ INBOUND_CONCAT_TIMEOUT_MS: "soon" })).toThrow(ConfigError);
    expect(() => loadInboundConfig({ ADMIN_TOKEN: "short" })).toThrow(/ADMIN_TOKEN/);
  });
});
