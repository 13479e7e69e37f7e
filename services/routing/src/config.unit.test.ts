import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadRoutingConfig } from "./config.ts";

describe("routing config", () => {
  it("when nothing is set, the defaults fit the local stack", () => {
    const config = loadRoutingConfig({});
    expect(config.HEALTH_PORT).toBe(8082);
    expect(config.HTTP_HOST).toBe("127.0.0.1");
    expect(config.ROUTES.routes.map((r) => r.prefix)).toContain("+372");
    expect(config.ROUTE_MAX_ATTEMPTS).toBe(3);
    expect(config.ADMIN_PORT).toBe(8092);
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it("when ROUTES is set, it replaces the default table", () => {
    const config = loadRoutingConfig({ ROUTES: "+372=sim-a,+371=sim-b", HEALTH_PORT: "0" });
    expect(config.ROUTES.routes.map((r) => [r.prefix, r.carriers.map((c) => c.carrierId)])).toEqual(
      [
        ["+371", ["sim-b"]],
        ["+372", ["sim-a"]],
      ],
    );
    expect(config.HEALTH_PORT).toBe(0);
  });

  it("when the admin token is too short, start-up fails naming it", () => {
    expect(() => loadRoutingConfig({ ADMIN_TOKEN: "short" })).toThrow(/ADMIN_TOKEN/);
    expect(loadRoutingConfig({ ADMIN_TOKEN: "" }).ADMIN_TOKEN).toBeUndefined();
  });

  it("when a route entry is bad, start-up fails naming the variable and the entry", () => {
    expect(() => loadRoutingConfig({ ROUTES: "+372=sim-a,+371=SIM_B" })).toThrow(ConfigError);
    expect(() => loadRoutingConfig({ ROUTES: "+372=sim-a,+371=SIM_B" })).toThrow(
      /ROUTES: "\+371=SIM_B": invalid carrier id/,
    );
  });
});
