import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";

describe("loadCarrierConnectorConfig", () => {
  it("when nothing is set, it binds the local simulator's sim-a and sim-b", () => {
    const config = loadCarrierConnectorConfig({});
    expect(config.HEALTH_PORT).toBe(8083);
    expect(config.BIND_REFUSED_RETRY_MS).toBe(60_000);
    expect(config.RECEIPT_MAPPING_WAIT_MS).toBe(30_000);
    expect(config.CARRIERS).toEqual([
      {
        id: "sim-a",
        host: "127.0.0.1",
        port: 2775,
        systemId: "sim-a",
        password: "secret",
        systemType: "",
        windowSize: 10,
        responseTimeoutMs: 10_000,
        enquireLinkMs: 30_000,
        rebindAfterTimeouts: 3,
        idBase: "hex",
        receiptIdBase: "hex",
        binds: 1,
        bindMode: "transceiver",
        maxTps: 0,
        simulated: true,
        defaultValiditySec: 172_800,
        concat: "udh8",
        gsmDataCoding: 0,
        addressing: {
          alphanumeric: [5, 0],
          international: [1, 1],
          shortCode: [3, 0],
          destination: [1, 1],
          shortCodeMaxDigits: 0,
        },
      },
      expect.objectContaining({ id: "sim-b", port: 2776, idBase: "decimal", simulated: true }),
    ]);
  });

  it("when CARRIERS is given, missing fields take their defaults", () => {
    const config = loadCarrierConnectorConfig({
      CARRIERS: JSON.stringify([{ id: "acme", port: 3000, systemId: "gw1", password: "pw" }]),
    });
    expect(config.CARRIERS[0]).toMatchObject({
      id: "acme",
      host: "127.0.0.1",
      systemId: "gw1",
      simulated: false,
      windowSize: 10,
      idBase: "string",
    });
  });

  it("when rebindAfterTimeouts is given, 0 turns the drop off; a negative or fractional one is refused", () => {
    const carriers = (rebindAfterTimeouts: unknown) => ({
      CARRIERS: JSON.stringify([{ id: "acme", port: 3000, password: "pw", rebindAfterTimeouts }]),
    });
    expect(loadCarrierConnectorConfig(carriers(0)).CARRIERS[0]?.rebindAfterTimeouts).toBe(0);
    expect(() => loadCarrierConnectorConfig(carriers(-1))).toThrow(/rebindAfterTimeouts/);
    expect(() => loadCarrierConnectorConfig(carriers(1.5))).toThrow(/rebindAfterTimeouts/);
  });

  it("when CARRIERS is not JSON or a carrier is invalid, it fails naming the variable", () => {
    const bad = (carriers: unknown) => () =>
      loadCarrierConnectorConfig({ CARRIERS: JSON.stringify(carriers) });
    expect(() => loadCarrierConnectorConfig({ CARRIERS: "nope" })).toThrow(ConfigError);
    expect(() => loadCarrierConnectorConfig({ CARRIERS: "nope" })).toThrow(/CARRIERS/);
    expect(bad([{ id: "a.b", port: 1, password: "x" }])).toThrow(/CARRIERS/);
    expect(bad([{ id: "a", port: 1 }])).toThrow(/password/);
    expect(bad([{ id: "a", port: 1, password: "x", idBase: "octal" }])).toThrow(/idBase/);
    expect(bad([{ id: "a", port: 1, password: "toolongpassword" }])).toThrow(/password/);
    expect(
      bad([
        { id: "a", port: 1, password: "x" },
        { id: "a", port: 2, password: "x" },
      ]),
    ).toThrow(/listed twice/);
  });

  it("when the lease ttl is under three renewals, it fails naming LEASE_TTL_MS", () => {
    const config = loadCarrierConnectorConfig({});
    expect(config).toMatchObject({
      LEASE_RENEW_MS: 1_000,
      LEASE_TTL_MS: 5_000,
      RECONCILE_AFTER_MS: 600_000,
      ROUTED_ACK_WAIT_MS: 30_000,
    });
    expect(() =>
      loadCarrierConnectorConfig({ LEASE_RENEW_MS: "1000", LEASE_TTL_MS: "2000" }),
    ).toThrow(/LEASE_TTL_MS: .*at least 3/);
  });

  it("when unknown receipts would be dropped before a claim can be reconciled, it fails naming RECEIPT_UNKNOWN_DROP_MS", () => {
    expect(loadCarrierConnectorConfig({}).RECEIPT_UNKNOWN_DROP_MS).toBe(1_200_000);
    expect(() => loadCarrierConnectorConfig({ RECEIPT_UNKNOWN_DROP_MS: "600000" })).toThrow(
      /RECEIPT_UNKNOWN_DROP_MS: .*longer than RECONCILE_AFTER_MS/,
    );
  });
});
