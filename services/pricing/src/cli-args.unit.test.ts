import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "./cli-args.ts";

describe("CLI arguments", () => {
  it("when accounts create is given its options, it becomes a create command", () => {
    expect(
      parseCommand(["accounts", "create", "--name", "acme", "--credits", "10", "--json"]),
    ).toEqual({
      kind: "create",
      name: "acme",
      credits: "10",
      currency: "EUR",
      test: true,
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
    ).toMatchObject({ currency: "USD", test: false, json: false });
  });

  it("when the other commands are given, each is recognised", () => {
    expect(parseCommand(["accounts", "top-up", "--name", "acme", "--credits", "5"])).toEqual({
      kind: "top-up",
      name: "acme",
      credits: "5",
      note: "",
      json: false,
    });
    expect(parseCommand(["accounts", "demo", "--json"])).toEqual({ kind: "demo", json: true });
    expect(parseCommand(["accounts", "rotate-token", "--name", "a"])).toMatchObject({
      kind: "rotate-token",
    });
    expect(parseCommand([])).toEqual({ kind: "help" });
    expect(parseCommand(["accounts", "list", "--help"])).toEqual({ kind: "help" });
  });

  it("when something is missing, unknown or misplaced, it is a usage error", () => {
    for (const argv of [
      ["accounts", "create", "--credits", "1"],
      ["accounts", "create", "--name", "a"],
      ["accounts", "explode"],
      ["accounts"],
      ["users", "list"],
      ["accounts", "demo", "--name", "x"],
      ["accounts", "list", "extra"],
      ["accounts", "list", "--frobnicate"],
    ]) {
      expect(() => parseCommand(argv), argv.join(" ")).toThrow(UsageError);
    }
  });
});
