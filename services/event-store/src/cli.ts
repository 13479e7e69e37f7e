import { subjects } from "@smsgw/contracts";
import {
  connectNats,
  createEraseNotifier,
  createLogger,
  errorMessage,
  numberErasedNotice,
  openServiceDatabase,
  publishWithRetry,
  runOperatorCli,
} from "@smsgw/service-kit";
import { parseCommand, USAGE } from "./cli-args.ts";
import { loadEventStoreConfig } from "./config.ts";
import {
  eraseMessages,
  findMessagesTo,
  listRetentionOverrides,
  setRetentionOverride,
} from "./db/erasure.ts";
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
        if (command.kind === "messages erase-number") {
          const { final, inFlight } = await findMessagesTo(database.sql, command.number);
          const erased: string[] = [];
          for (let at = 0; at < final.length; at += ERASE_BATCH) {
            erased.push(
              ...(await eraseMessages(database.sql, final.slice(at, at + ERASE_BATCH), new Date())),
            );
          }
          const notified = await notifyErased(config, erased, command.number);
          return {
            text: eraseNumberText(command.number, erased.length, inFlight, notified),
            json: { number: command.number, erased: erased.length, inFlight, notified },
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

/** Messages erased per transaction. */
const ERASE_BATCH = 500;

/**
 * Tells the dispatcher and the SMPP server (their waiting copies) which messages were erased,
 * and the inbound service which number (its MO from or to it: `NumberErased`, a digest of the
 * number, ADR 0021 amendment 2); false when NATS could not be reached: the dispatcher's and
 * SMPP server's copies then expire by themselves (24 and 72 h), the inbound service's do not,
 * so the command is to be run again.
 */
async function notifyErased(
  config: ReturnType<typeof loadEventStoreConfig>,
  messageIds: readonly string[],
  number: string,
): Promise<boolean> {
  try {
    const nats = await connectNats(config, PROGRAM, createLogger(PROGRAM, "silent"));
    try {
      const names = subjects(config.NATS_PREFIX);
      if (messageIds.length > 0) await createEraseNotifier(nats.js, names)(messageIds);
      const notice = numberErasedNotice(number);
      // Its own id per run: a run repeated later (new MO since) must not be dropped as a duplicate.
      await publishWithRetry(nats.js, names.numberErased, JSON.stringify(notice), {
        msgID: `number-erased:${notice.numberSha256}:${Date.now()}`,
        retryForMs: 8_000,
      });
    } finally {
      await nats.nc.close();
    }
    return true;
  } catch {
    return false;
  }
}

function eraseNumberText(
  number: string,
  erased: number,
  inFlight: readonly string[],
  notified: boolean,
): string {
  return [
    `${erased} message(s) to ${number} erased (text and number, every account)`,
    ...(inFlight.length > 0
      ? [`${inFlight.length} still in flight, erase again once final: ${inFlight.join(" ")}`]
      : []),
    ...(notified
      ? []
      : [
          "NATS not reached: the inbound service's MO from or to the number are not erased (run again);",
          "the dispatcher's and SMPP server's copies expire by themselves",
        ]),
  ].join("\n");
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
