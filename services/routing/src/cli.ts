import { subjects } from "@smsgw/contracts";
import { type CliOutput, connectNats, errorMessage, runOperatorCli } from "@smsgw/service-kit";
import { type Command, parseCommand, USAGE } from "./cli-args.ts";
import { loadRoutingConfig } from "./config.ts";
import { openRouteStore, type RouteStore } from "./kv/route-store.ts";

/**
 * The operator's CLI for routes and sender rules (`bin/gw routes …`, `bin/gw senders …`):
 * the same store code as the admin API, on the same NATS (NATS_URL, NATS_PREFIX). Prints
 * text or `--json`. Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
 */
const PROGRAM = "gw-routing";

function main(argv: readonly string[]): Promise<number> {
  return runOperatorCli(
    {
      program: PROGRAM,
      usage: USAGE,
      parse: parseCommand,
      loadConfig: loadRoutingConfig,
      async execute(command, config, { log, onClose }) {
        const nats = await connectNats(config, "routing-cli", log).catch((error: unknown) => {
          throw new Error(`cannot connect to NATS at ${config.NATS_URL}: ${errorMessage(error)}`);
        });
        onClose(() => nats.nc.close());
        return run(command, await openRouteStore(nats.nc, subjects(config.NATS_PREFIX)));
      },
    },
    argv,
  );
}

async function run(
  command: Exclude<Command, { kind: "help" }>,
  store: RouteStore,
): Promise<CliOutput> {
  switch (command.kind) {
    case "routes list": {
      const { routes } = await store.list();
      const lines = routes.map(
        (route) =>
          `${route.prefix.padEnd(8)} ${route.carriers
            .map(
              (c) =>
                `${c.carrierId}:${c.costPerPart}:${c.priority}${c.alphanumeric ? "" : ":numeric"}`,
            )
            .join(" ")}`,
      );
      return { text: lines.join("\n") || "(no routes)", json: { routes } };
    }
    case "senders list": {
      const { senders } = await store.list();
      const lines = senders.map(
        (rule) =>
          `${rule.prefix.padEnd(8)} ${rule.alphanumericAllowed ? "alphanumeric allowed" : "numeric only"}` +
          (rule.registeredOnly ? `; registered only: ${rule.registeredSenders.join(", ")}` : "") +
          (rule.accountRegistry ? "; sender IDs approved per account only" : ""),
      );
      return { text: lines.join("\n") || "(no sender rules)", json: { senders } };
    }
    case "routes set":
      await store.putRoute(command.route);
      return { text: `Route ${command.route.prefix} set.`, json: { route: command.route } };
    case "senders set":
      await store.putSender(command.rule);
      return { text: `Sender rule ${command.rule.prefix} set.`, json: { sender: command.rule } };
    case "routes delete":
    case "senders delete": {
      const what = command.kind === "routes delete" ? "route" : "sender rule";
      const deleted =
        command.kind === "routes delete"
          ? await store.deleteRoute(command.prefix)
          : await store.deleteSender(command.prefix);
      return deleted
        ? { text: `Deleted the ${what} for ${command.prefix}.`, json: { deleted: command.prefix } }
        : { text: `No ${what} for ${command.prefix}.`, json: { deleted: null }, exitCode: 1 };
    }
  }
}

process.exitCode = await main(process.argv.slice(2));
