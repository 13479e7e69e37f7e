import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "./cli-args.ts";

describe("routing CLI arguments", () => {
  it("when a route is set, carriers read as carrier:cost:priority[:numeric]", () => {
    expect(
      parseCommand(["routes", "set", "372", "sim-a:380", "sim-b:420:5:numeric", "--json"]),
    ).toEqual({
      kind: "routes set",
      json: true,
      route: {
        prefix: "+372",
        carriers: [
          { carrierId: "sim-a", costPerPart: 380, priority: 100, alphanumeric: true },
          { carrierId: "sim-b", costPerPart: 420, priority: 5, alphanumeric: false },
        ],
      },
    });
  });

  it("when a sender rule is set, --numeric-only and --registered shape it", () => {
    expect(
      parseCommand([
        "senders",
        "set",
        "+1",
        "--numeric-only",
        "--registered",
        "15551234567, 15557654321",
      ]),
    ).toEqual({
      kind: "senders set",
      json: false,
      rule: {
        prefix: "+1",
        alphanumericAllowed: false,
        registeredOnly: true,
        registeredSenders: ["15551234567", "15557654321"],
      },
    });
  });

  it("when the usage is wrong, it is a usage error naming the problem", () => {
    expect(() => parseCommand(["routes", "set", "+372"])).toThrow(/at least one carrier/);
    expect(() => parseCommand(["routes", "set", "+372", "sim-a:0.5"])).toThrow(/whole number/);
    expect(() => parseCommand(["routes", "set", "+372", "sim-a", "sim-a"])).toThrow(/listed twice/);
    expect(() => parseCommand(["routes", "delete", "+0"])).toThrow(/prefix/);
    expect(() => parseCommand(["routes", "list", "--numeric-only"])).toThrow(UsageError);
    expect(() => parseCommand(["routes", "frob"])).toThrow(/unknown command/);
    expect(() => parseCommand(["routes", "list", "--bogus"])).toThrow(UsageError);
  });

  it("when asked for help, or given nothing, it is help", () => {
    expect(parseCommand([])).toEqual({ kind: "help" });
    expect(parseCommand(["routes", "--help"])).toEqual({ kind: "help" });
  });
});
