import { parseArgs } from "node:util";
import type { SenderRule } from "@smsgw/contracts";
import { UsageError } from "@smsgw/service-kit";
import type { Route } from "./domain/route-table.ts";
import { normalisePrefix, parseRoute, parseSenderRule } from "./operations.ts";

/**
 * The routing CLI's commands, parsed from argv with no I/O (tested alone). Wrong usage
 * is a UsageError (exit 2); the route and sender checks are the admin API's own.
 */
export type Command =
  | { kind: "help" }
  | { kind: "routes list" | "senders list"; json: boolean }
  | { kind: "routes set"; route: Route; json: boolean }
  | { kind: "senders set"; rule: SenderRule; json: boolean }
  | { kind: "routes delete" | "senders delete"; prefix: string; json: boolean };

export { UsageError };

export const USAGE = `usage: gw routes|senders <command> [--json]
  gw routes list                               the route table, longest prefix first
  gw routes set <prefix> <carrier>[:<cost>[:<priority>[:numeric]]] …
                                               replace a prefix's carriers; cost in money
                                               units per part (1/10,000 of the currency),
                                               lower priority wins a cost tie, "numeric":
                                               the carrier takes numeric senders only
  gw routes delete <prefix>
  gw senders list
  gw senders set <prefix> [--numeric-only] [--registered <sender,…>] [--account-registry]
                                               --account-registry: alphanumeric senders must be
                                               approved for the sending account (bin/gw sender-ids)
  gw senders delete <prefix>
Changes reach every routing replica at once (NATS KV), and ingress's rules with them.`;

export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [area, verb, ...rest] = positionals;
  if (values.help || area === undefined || area === "help") return { kind: "help" };
  const json = values.json ?? false;
  const name = `${area} ${verb ?? ""}`.trim();
  const senderFlags =
    values["numeric-only"] !== undefined ||
    values.registered !== undefined ||
    values["account-registry"] !== undefined;
  if (senderFlags && name !== "senders set") {
    throw new UsageError(
      `--numeric-only, --registered and --account-registry belong to "senders set"`,
    );
  }
  switch (name) {
    case "routes list":
    case "senders list":
      expectArgs(name, rest, 0);
      return { kind: name, json };
    case "routes delete":
    case "senders delete": {
      expectArgs(name, rest, 1);
      const prefix = normalisePrefix(rest[0] ?? "");
      if (!prefix.ok) throw new UsageError(prefix.message);
      return { kind: name, prefix: prefix.value, json };
    }
    case "routes set": {
      const [prefix, ...specs] = rest;
      if (prefix === undefined || specs.length === 0) {
        throw new UsageError("routes set needs a prefix and at least one carrier");
      }
      const route = parseRoute(prefix, { carriers: specs.map(carrierSpec) });
      if (!route.ok) throw new UsageError(route.message);
      return { kind: name, route: route.value, json };
    }
    case "senders set": {
      expectArgs(name, rest, 1);
      const registered = (values.registered ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      const rule = parseSenderRule(rest[0] ?? "", {
        alphanumericAllowed: !values["numeric-only"],
        registeredOnly: registered.length > 0,
        registeredSenders: registered,
        ...(values["account-registry"] ? { accountRegistry: true } : {}),
      });
      if (!rule.ok) throw new UsageError(rule.message);
      return { kind: name, rule: rule.value, json };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      "numeric-only": { type: "boolean" },
      "account-registry": { type: "boolean" },
      registered: { type: "string" },
    },
  });
}

function expectArgs(name: string, rest: readonly string[], count: number): void {
  if (rest.length !== count) {
    throw new UsageError(
      `${name} takes ${count === 0 ? "no" : count} argument${count === 1 ? "" : "s"}`,
    );
  }
}

/** `sim-a:380:10:numeric` -> the candidate's fields (validated by parseRoute). */
function carrierSpec(spec: string): Record<string, unknown> {
  const [carrierId, cost = "0", priority, numeric, ...extra] = spec.split(":");
  if (extra.length > 0 || (numeric !== undefined && numeric !== "numeric")) {
    throw new UsageError(`carrier "${spec}": expected <carrier>[:<cost>[:<priority>[:numeric]]]`);
  }
  const whole = (text: string, what: string) => {
    if (!/^\d+$/.test(text))
      throw new UsageError(`carrier "${spec}": ${what} must be a whole number`);
    return Number(text);
  };
  return {
    carrierId,
    costPerPart: whole(cost, "cost"),
    ...(priority === undefined ? {} : { priority: whole(priority, "priority") }),
    alphanumeric: numeric === undefined,
  };
}
