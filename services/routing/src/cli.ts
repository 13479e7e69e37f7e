import { subjects } from "@smsgw/contracts";
import { ConfigError, connectNats, errorMessage, type Logger } from "@smsgw/service-kit";
import { pino } from "pino";
import { type Command, parseCommand, USAGE, UsageError } from "./cli-args.ts";
import { loadRoutingConfig } from "./config.ts";
import { openRouteStore, type RouteStore } from "./kv/route-store.ts";

/**
 * The operator's CLI for routes and sender rules (`bin/gw routes …`, `bin/gw senders …`):
 * the same store code as the admin API, on the same NATS (NATS_URL, NATS_PREFIX). Prints
 * text or `--json`. Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
 */
const PROGRAM = "gw-routing";

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n(--help lists the commands)\n`);
    return 2;
  }
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadRoutingConfig>;
  try {
    config = loadRoutingConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return 1;
  }
  // Warnings only, to stderr: stdout carries the answer (and --json must stay parseable).
  const log: Logger = pino(
    { level: "warn", base: undefined, timestamp: false },
    pino.destination({ dest: 2, sync: true }),
  );
  let close = async () => undefined as unknown;
  try {
    const nats = await connectNats(config.NATS_URL, "routing-cli", log).catch((error: unknown) => {
      throw new Error(`cannot connect to NATS at ${config.NATS_URL}: ${errorMessage(error)}`);
    });
    close = () => nats.nc.close();
    const store = await openRouteStore(nats.nc, subjects(config.NATS_PREFIX));
    const output = await run(command, store);
    process.stdout.write(
      command.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`,
    );
    return output.exitCode ?? 0;
  } catch (error) {
    process.stderr.write(`${PROGRAM}: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await close().catch(() => undefined);
  }
}

interface Output {
  text: string;
  json: unknown;
  exitCode?: number;
}

async function run(
  command: Exclude<Command, { kind: "help" }>,
  store: RouteStore,
): Promise<Output> {
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
          (rule.registeredOnly ? `; registered only: ${rule.registeredSenders.join(", ")}` : ""),
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
