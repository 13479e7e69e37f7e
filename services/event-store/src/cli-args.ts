import { parseArgs } from "node:util";
import { isMessageId } from "@smsgw/contracts";
import { UsageError } from "@smsgw/service-kit";

/** The event store's operator commands, parsed from argv with no I/O (tested alone). */
export type Command =
  | { kind: "help" }
  | { kind: "messages trail"; messageId: string; json: boolean }
  /** Lists the per-account retentions (no account), or sets one (days, or null: the default). */
  | { kind: "messages retention"; accountId?: string; days?: number | null; json: boolean }
  /** Erases the text and number of every account's messages to one number (a data subject's request). */
  | { kind: "messages erase-number"; number: string; json: boolean };

export const USAGE = `usage: gw messages trail <messageId> [--json]
       gw messages retention [<accountId> <days|default>] [--json]
       gw messages erase-number <+E.164> [--json]
  gw messages trail <messageId>   the message's full stored trail, oldest first, whatever its
                                  account: carriers, carrier message ids, routing's reasons and
                                  the carriers' raw error codes included (customers see the
                                  public view; this is the operator's record)
  gw messages retention           the accounts whose messages' text and number are kept
                                  another number of days than RETENTION_DAYS (ADR 0021)
  gw messages retention <accountId> <days|default>
                                  keep that account's text and numbers <days> days after
                                  the final status (at least 1: ingress keeps a send's
                                  answer a day), or back to the default
  gw messages erase-number <+E.164>
                                  erase the text and number of every message sent to that
                                  number, in every account, as a redact does (a person's
                                  request to be forgotten), and of the inbound messages
                                  from or to it (the inbound service, told over NATS);
                                  messages still in flight are named, to erase once final`;

const MAX_RETENTION_DAYS = 3_650;

export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parse(argv);
  const [area, verb, ...rest] = positionals;
  if (values.help || area === undefined || area === "help") return { kind: "help" };
  const name = `${area} ${verb ?? ""}`.trim();
  const json = values.json ?? false;
  if (name === "messages retention") return retentionCommand(rest, json);
  if (name === "messages erase-number") return eraseNumberCommand(rest, json);
  if (name !== "messages trail") throw new UsageError(`unknown command "${name}"`);
  const [messageId] = rest;
  if (rest.length !== 1 || messageId === undefined) {
    throw new UsageError("messages trail takes one argument: the message id");
  }
  if (!isMessageId(messageId)) throw new UsageError(`"${messageId}" is not a message id (msg_…)`);
  return { kind: "messages trail", messageId, json };
}

function eraseNumberCommand(rest: readonly string[], json: boolean): Command {
  const [number] = rest;
  if (rest.length !== 1 || number === undefined) {
    throw new UsageError("messages erase-number takes one argument: the number, +E.164");
  }
  if (!/^\+[1-9]\d{6,14}$/.test(number)) {
    throw new UsageError(`"${number}" is not a number in E.164 form (+ and 7-15 digits)`);
  }
  return { kind: "messages erase-number", number, json };
}

function retentionCommand(rest: readonly string[], json: boolean): Command {
  if (rest.length === 0) return { kind: "messages retention", json };
  const [accountId, daysText] = rest;
  if (rest.length !== 2 || accountId === undefined || daysText === undefined) {
    throw new UsageError("messages retention takes an account id and a number of days, or none");
  }
  if (daysText === "default") return { kind: "messages retention", accountId, days: null, json };
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new UsageError(
      `days must be a whole number from 1 to ${MAX_RETENTION_DAYS}, or "default"`,
    );
  }
  return { kind: "messages retention", accountId, days, json };
}

/** node:util's parseArgs, its refusals (unknown option, …) as wrong usage. */
function parse(argv: readonly string[]) {
  const options = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
