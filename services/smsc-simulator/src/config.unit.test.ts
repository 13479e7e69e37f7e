import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { loadSmscSimulatorConfig } from "./config.ts";

describe("loadSmscSimulatorConfig", () => {
  it("when nothing is set, it plays sim-a on 2775 and sim-b on 2776 with the test outcomes", () => {
    const config = loadSmscSimulatorConfig({});
    expect(config.SIM_HOST).toBe("127.0.0.1");
    expect(config.HEALTH_PORT).toBe(8086);
    expect(config.SIM_CARRIERS).toHaveLength(2);
    const [a, b] = config.SIM_CARRIERS;
    expect(a).toMatchObject({
      id: "sim-a",
      port: 2775,
      systemId: "sim-a",
      password: "secret",
      receiptDelayMs: 100,
      idBase: "hex",
    });
    expect(b).toMatchObject({ id: "sim-b", port: 2776, systemId: "sim-b", idBase: "decimal" });
    expect(a?.outcomes).toEqual([
      { prefix: "+3725550", stat: "UNDELIV", err: "001", commandStatus: 0 },
      { prefix: "+3725551", stat: "EXPIRED", err: "000", commandStatus: 0 },
    ]);
  });

  it("when SIM_CARRIERS is given, each carrier's missing fields take their defaults", () => {
    const config = loadSmscSimulatorConfig({
      SIM_CARRIERS: JSON.stringify([
        {
          id: "x",
          port: 0,
          outcomes: [
            { prefix: "+1", stat: "REJECTD" },
            { prefix: "+2", commandStatus: 11 },
          ],
        },
      ]),
    });
    expect(config.SIM_CARRIERS[0]).toMatchObject({
      id: "x",
      systemId: "x",
      password: "secret",
      outcomes: [
        { prefix: "+1", stat: "REJECTD", err: "000", commandStatus: 0 },
        { prefix: "+2", stat: "DELIVRD", err: "000", commandStatus: 11 },
      ],
    });
  });

  it("when a carrier says nothing of its PDUs, receipts and MO go as deliver_sm; each can be data_sm, nothing else", () => {
    const load = (carrier: object) =>
      loadSmscSimulatorConfig({
        SIM_CARRIERS: JSON.stringify([{ id: "x", port: 0, ...carrier }]),
      }).SIM_CARRIERS[0];
    expect(load({})).toMatchObject({ receiptCommand: "deliver_sm", moCommand: "deliver_sm" });
    expect(load({ receiptCommand: "data_sm" })).toMatchObject({
      receiptCommand: "data_sm",
      moCommand: "deliver_sm",
    });
    expect(load({ moCommand: "data_sm" })).toMatchObject({ moCommand: "data_sm" });
    expect(() => load({ receiptCommand: "submit_sm" })).toThrow(/receiptCommand/);
  });

  it("when SIM_CARRIERS is not JSON, it fails naming the variable", () => {
    expect(() => loadSmscSimulatorConfig({ SIM_CARRIERS: "[{" })).toThrow(/SIM_CARRIERS/);
  });

  it("when a carrier is invalid or listed twice, it fails with a clear message", () => {
    const bad = (carriers: unknown) => () =>
      loadSmscSimulatorConfig({ SIM_CARRIERS: JSON.stringify(carriers) });
    expect(bad([{ id: "Sim A", port: 1 }])).toThrow(ConfigError);
    expect(bad([{ id: "a", port: 70000 }])).toThrow(/SIM_CARRIERS/);
    expect(bad([{ id: "a", port: 1, idBase: "octal" }])).toThrow(/idBase/);
    expect(bad([{ id: "a", port: 1, outcomes: [{ prefix: "+1", stat: "LOST" }] }])).toThrow(/stat/);
    expect(
      bad([
        { id: "a", port: 1 },
        { id: "a", port: 2 },
      ]),
    ).toThrow(/listed twice/);
    expect(bad([])).toThrow(/SIM_CARRIERS/);
  });

  it("when SIM_CONFIG_FILE is set, its carriers replace SIM_CARRIERS; a bad file fails naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-config-"));
    const file = join(dir, "sim.json");
    writeFileSync(
      file,
      JSON.stringify({
        carriers: [
          {
            id: "acme",
            port: 0,
            tps: 50,
            receiptDialect: "tlv",
            receiptDelayMs: { minMs: 10, maxMs: 20 },
            outcomes: [
              {
                prefix: "+1",
                receipts: [
                  { stat: "DELIVRD", weight: 9 },
                  { stat: "none", weight: 1 },
                ],
              },
            ],
          },
        ],
      }),
    );
    const config = loadSmscSimulatorConfig({ SIM_CONFIG_FILE: file, SIM_CARRIERS: "[{" });
    expect(config.SIM_CARRIERS).toMatchObject([
      { id: "acme", tps: 50, receiptDialect: "tlv", receiptDelayMs: { minMs: 10, maxMs: 20 } },
    ]);
    expect(() => loadSmscSimulatorConfig({ SIM_CONFIG_FILE: join(dir, "missing.json") })).toThrow(
      /SIM_CONFIG_FILE/,
    );
    writeFileSync(file, JSON.stringify({ carriers: [{ id: "a", port: 1, tps: -5 }] }));
    expect(() => loadSmscSimulatorConfig({ SIM_CONFIG_FILE: file })).toThrow(/tps/);
  });
});
