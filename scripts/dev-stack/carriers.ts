import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_CARRIERS } from "../../services/carrier-connector/src/config.ts";

/**
 * The local stack's carriers: the smsc-simulator's two listeners, flagged `simulated` so
 * routing lets test accounts (the demo account is one) use them. Passed to the connector as
 * CARRIERS, which seeds its carriers table on a first start: the connector's own defaults.
 */
export const LOCAL_CARRIERS = DEFAULT_CARRIERS;

interface StoredCarrier {
  id: string;
  host: string;
  port: number;
  simulated?: boolean;
}

/**
 * The stored carriers that are the local simulators (same id, host and port) but not
 * flagged: a table seeded before the flag existed. A carrier the developer pointed
 * elsewhere is left as it is.
 */
export function unflaggedSimulators(stored: readonly StoredCarrier[]): string[] {
  return stored
    .filter((carrier) =>
      LOCAL_CARRIERS.some(
        (local) =>
          local.id === carrier.id && local.host === carrier.host && local.port === carrier.port,
      ),
    )
    .filter((carrier) => carrier.simulated !== true)
    .map((carrier) => carrier.id);
}

/** Flags the local simulators in an existing carriers table, with the connector's own CLI. */
export function flagLocalSimulators(
  root: string,
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): void {
  const cli = (...args: string[]) => {
    const script = join(root, "services", "carrier-connector", "src", "cli.ts");
    const result = spawnSync(process.execPath, [script, "carriers", ...args, "--json"], {
      env,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(`carriers ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
    }
    return JSON.parse(result.stdout) as { carriers?: StoredCarrier[] };
  };
  for (const id of unflaggedSimulators(cli("list").carriers ?? [])) {
    cli("set", id, "simulated=true");
    say(`carrier ${id} flagged as a simulator (stored before the flag existed)`);
  }
}
