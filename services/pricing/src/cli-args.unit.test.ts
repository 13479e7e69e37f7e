import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "./cli-args.ts";

describe("CLI arguments", () => {
  it("when accounts create is given its options, it becomes a create command", () => {
    expect(
      parseCommand(["accounts", "create", "--name", "acme", "--credits", "10", "--json"]),
    ).toEqual({
      kind: "accounts create",
      options: { name: "acme", credits: "10" },
      flags: {},
      json: true,
    });
    expect(
      parseCommand([
        "accounts",
        "create",
        "--name=acme",
        "--credits=1",
        "--currency",
        "USD",
        "--live",
      ]),
    ).toMatchObject({ options: { currency: "USD" }, flags: { live: true }, json: false });
  });

  it("when the other commands are given, each is recognised", () => {
    expect(parseCommand(["accounts", "top-up", "--name", "acme", "--credits", "5"])).toMatchObject({
      kind: "accounts top-up",
      options: { name: "acme", credits: "5" },
    });
    expect(parseCommand(["accounts", "demo", "--json"])).toMatchObject({
      kind: "accounts demo",
      json: true,
    });
    expect(
      parseCommand(["accounts", "block", "--name", "a", "--countries", "EE,LV"]),
    ).toMatchObject({ options: { countries: "EE,LV" } });
    expect(parseCommand(["prices", "load", "p.csv", "--replace"])).toEqual({
      kind: "prices load",
      options: {},
      flags: { replace: true },
      file: "p.csv",
      json: false,
    });
    expect(parseCommand([])).toEqual({ kind: "help" });
    expect(parseCommand(["accounts", "list", "--help"])).toEqual({ kind: "help" });
  });

  it("when something is missing, unknown or misplaced, it is a usage error", () => {
    for (const argv of [
      ["accounts", "create", "--credits", "1"],
      ["accounts", "create", "--name", "a"],
      ["accounts", "adjust", "--name", "a", "--amount", "-1"],
      ["accounts", "explode"],
      ["accounts"],
      ["users", "list"],
      ["accounts", "demo", "--name", "x"],
      ["accounts", "list", "extra"],
      ["accounts", "list", "--frobnicate"],
      ["prices", "load"],
      ["prices", "load", "a.csv", "b.csv"],
      ["accounts", "toString"],
    ]) {
      expect(() => parseCommand(argv), argv.join(" ")).toThrow(UsageError);
    }
  });
});
