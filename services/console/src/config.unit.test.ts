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

  it("when PUBLIC_API_URL is unset or empty, there is none (INGRESS_URL is shown); set, it is kept", () => {
    expect(loadConsoleConfig({ PUBLIC_API_URL: "" }).PUBLIC_API_URL).toBeUndefined();
    expect(loadConsoleConfig({}).PUBLIC_API_URL).toBeUndefined();
    expect(loadConsoleConfig({ PUBLIC_API_URL: "https://api.example.com" }).PUBLIC_API_URL).toBe(
      "https://api.example.com",
    );
    expect(() => loadConsoleConfig({ PUBLIC_API_URL: "nope" })).toThrow(/PUBLIC_API_URL/);
  });

  it("when a value is wrong, it names the variable", () => {
    expect(() => loadConsoleConfig({ TEST_CREDITS: "lots" })).toThrow(ConfigError);
    expect(() => loadConsoleConfig({ INGRESS_URL: "nope" })).toThrow(/INGRESS_URL/);
  });
});
