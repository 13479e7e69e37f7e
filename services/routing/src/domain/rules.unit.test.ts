import { describe, expect, it } from "vitest";
import { createRouteTable, type Route } from "./route-table.ts";
import { routingRulesOf } from "./rules.ts";

const route = (prefix: string, ...carrierIds: string[]): Route => ({
  prefix,
  carriers: carrierIds.map((carrierId) => ({
    carrierId,
    costPerPart: 100,
    priority: 100,
    alphanumeric: true,
  })),
});
const table = createRouteTable([route("+372", "narrow", "wide"), route("+371", "narrow")]);
const at = new Date("2026-12-01T00:00:00.000Z");

describe("routingRulesOf: the routes ingress bills with 16-bit-UDH parts (ADR 0011)", () => {
  it("when a route has a udh16 carrier, it is named; a route of udh8 carriers is not", () => {
    const rules = routingRulesOf(
      table,
      [],
      at,
      new Map([
        ["narrow", "udh8"],
        ["wide", "udh16"],
      ]),
    );
    expect(rules.udh16Prefixes).toEqual(["+372"]);
    expect(rules.routablePrefixes).toEqual(["+371", "+372"]);
  });

  it("when no connector has told a carrier's header yet, its routes count as 16-bit (the worst case)", () => {
    const rules = routingRulesOf(table, [], at, new Map([["wide", "udh8"]]));
    expect(rules.udh16Prefixes).toEqual(["+371", "+372"]);
  });

  it("when every carrier uses an 8-bit reference, SAR or message_payload, the field is left out", () => {
    const rules = routingRulesOf(
      table,
      [],
      at,
      new Map([
        ["narrow", "sar"],
        ["wide", "payload"],
      ]),
    );
    expect(rules).not.toHaveProperty("udh16Prefixes");
  });
});
