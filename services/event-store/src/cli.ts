import { errorMessage, openServiceDatabase, runOperatorCli } from "@smsgw/service-kit";
import { parseCommand, USAGE } from "./cli-args.ts";
import { loadEventStoreConfig } from "./config.ts";
import { listRetentionOverrides, setRetentionOverride } from "./db/erasure.ts";
import { migrations } from "./db/migrations.ts";
import { type EventStoreDb, SCHEMA } from "./db/schema.ts";
import { readStoredTrail } from "./db/stored-trail.ts";
import { trailText } from "./domain/trail-text.ts";

/**
 * The operator's CLI over the event log (`bin/gw messages …`): the full record that the
 * customer's API and console show only in its public view (ADR 0017). Prints text or
 * `--json`. Exit codes: 0 found, 1 no such message or failed, 2 wrong usage.
 */
const PROGRAM = "gw-event-store";

function main(argv: readonly string[]): Promise<number> {
  return runOperatorCli(
    {
      program: PROGRAM,
      usage: USAGE,
      parse: parseCommand,
      loadConfig: loadEventStoreConfig,
      async execute(command, config, { onClose }) {
        const database = await openServiceDatabase<EventStoreDb>(config, SCHEMA, migrations, {
          max: 1,
        }).catch((error: unknown) => {
          throw new Error(`cannot open the event store (DATABASE_URL): ${errorMessage(error)}`);
        });
        onClose(() => database.close());
        if (command.kind === "messages retention") {
          if (command.accountId !== undefined && command.days !== undefined) {
            await setRetentionOverride(database.sql, command.accountId, command.days);
          }
          const overrides = await listRetentionOverrides(database.sql);
          return {
            text: retentionText(overrides, config.RETENTION_DAYS),
            json: { defaultDays: config.RETENTION_DAYS, accounts: overrides },
          };
        }
        const events = await readStoredTrail(database.sql, command.messageId);
        return {
          text: trailText(command.messageId, events),
          json: { messageId: command.messageId, events },
          ...(events.length === 0 ? { exitCode: 1 } : {}),
        };
      },
    },
    argv,
  );
}

function retentionText(
  overrides: ReadonlyArray<{ accountId: string; days: number }>,
  defaultDays: number,
): string {
  const lines = overrides.map((o) => `${o.accountId}  ${o.days} day(s)`);
  return [`default (RETENTION_DAYS): ${defaultDays} day(s) after the final status`, ...lines].join(
    "\n",
  );
}

process.exitCode = await main(process.argv.slice(2));
