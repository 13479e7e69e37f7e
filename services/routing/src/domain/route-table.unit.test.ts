import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTES, longestPrefixMatch, parseRouteTable } from "./route-table.ts";

function table(text: string) {
  const parsed = parseRouteTable(text);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.table;
}

describe("route table", () => {
  it("when prefixes overlap, the longest one that matches wins", () => {
    const routes = table("+3=wide,+372=ee,+3725=ee-mobile");
    expect(longestPrefixMatch(routes, "+37256789045")?.prefix).toBe("+3725");
    expect(longestPrefixMatch(routes, "+3726123456")?.prefix).toBe("+372");
    expect(longestPrefixMatch(routes, "+33612345678")?.prefix).toBe("+3");
  });

  it("when no prefix matches, there is no route", () => {
    expect(longestPrefixMatch(table("+372=sim-a"), "+4915123456789")).toBeUndefined();
  });

  it("when an entry lists several carriers, they keep their order", () => {
    expect(table(" +1 = sim-b|sim-a ").routes).toEqual([
      {
        prefix: "+1",
        carriers: [
          { carrierId: "sim-b", costPerPart: 0, priority: 10, alphanumeric: true },
          { carrierId: "sim-a", costPerPart: 0, priority: 20, alphanumeric: true },
        ],
      },
    ]);
  });

  it("when a carrier has a cost, it is read as money units per part", () => {
    const [route] = table("+372=sim-a:380|sim-b:420").routes;
    expect(route?.carriers.map((c) => [c.carrierId, c.costPerPart])).toEqual([
      ["sim-a", 380],
      ["sim-b", 420],
    ]);
    expect(parseRouteTable("+372=sim-a:0.5")).toMatchObject({ ok: false });
  });

  it("when the default table is parsed, it covers the local stack's countries", () => {
    const routes = table(DEFAULT_ROUTES);
    expect(longestPrefixMatch(routes, "+37256789045")?.carriers.map((c) => c.carrierId)).toEqual([
      "sim-a",
    ]);
    expect(longestPrefixMatch(routes, "+37120000000")?.carriers.map((c) => c.carrierId)).toEqual([
      "sim-b",
    ]);
    expect(longestPrefixMatch(routes, "+12025550123")?.carriers.map((c) => c.carrierId)).toEqual([
      "sim-b",
    ]);
    expect(routes.routes).toHaveLength(9);
  });

  it("when entries are malformed, each is named and nothing is skipped silently", () => {
    const parsed = parseRouteTable("372=sim-a,+371=Sim B,+1=sim-b,+1=sim-a,+44,+0=sim-a,+49=a|a");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(6);
    expect(parsed.problems[0]).toContain('"372=sim-a"');
    expect(parsed.problems[1]).toContain('invalid carrier id "Sim B"');
    expect(parsed.problems[2]).toContain("listed twice");
  });

  it("when the table is empty, it is refused", () => {
    expect(parseRouteTable(" , ")).toEqual({ ok: false, problems: ["no routes given"] });
  });
});
