import { parseArgs } from "node:util";
import { isMessageId } from "@smsgw/contracts";
import { UsageError } from "@smsgw/service-kit";

/** The event store's operator commands, parsed from argv with no I/O (tested alone). */
export type Command =
  | { kind: "help" }
  | { kind: "messages trail"; messageId: string; json: boolean };

export const USAGE = `usage: gw messages trail <messageId> [--json]
  gw messages trail <messageId>   the message's full stored trail, oldest first, whatever its
                                  account: carriers, carrier message ids, routing's reasons and
                                  the carriers' raw error codes included (customers see the
                                  public view; this is the operator's record)`;

export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parse(argv);
  const [area, verb, ...rest] = positionals;
  if (values.help || area === undefined || area === "help") return { kind: "help" };
  const name = `${area} ${verb ?? ""}`.trim();
  if (name !== "messages trail") throw new UsageError(`unknown command "${name}"`);
  const [messageId] = rest;
  if (rest.length !== 1 || messageId === undefined) {
    throw new UsageError("messages trail takes one argument: the message id");
  }
  if (!isMessageId(messageId)) throw new UsageError(`"${messageId}" is not a message id (msg_…)`);
  return { kind: "messages trail", messageId, json: values.json ?? false };
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
