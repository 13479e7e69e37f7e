import { isFinalStatus, MESSAGE_STATUSES, type MessageStatus } from "@smsgw/contracts";
import { type Checked, passed, refused } from "@smsgw/message-acceptance";
import { severalGiven } from "./several-given.ts";

/**
 * `callbackStatuses` (api.md section 4): which status changes are POSTed to the callback
 * URL, as other gateways' delivery-report masks. `sent`, `final` (every final status) or
 * statuses by name, comma-separated; default `sent,final`. The event store reads the
 * expanded list from MessageAccepted and never publishes a status the mask leaves out.
 */

/** The statuses a report can carry: every status from `sent` on. */
export const REPORTABLE_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter(
  (status) => status !== "queued",
);

const FINAL: readonly MessageStatus[] = MESSAGE_STATUSES.filter(isFinalStatus);

/** What a client may write: a status by name, or `final` for all of the final ones. */
const NAMES: ReadonlyMap<string, readonly MessageStatus[]> = new Map([
  ...REPORTABLE_STATUSES.map((status) => [status, [status]] as const),
  ["final", FINAL],
]);

const CHOICES = `use sent, final or a list of ${REPORTABLE_STATUSES.join(", ")}`;
/** A client's text echoed in a message is cut short: no reflecting a megabyte back. */
const MAX_ECHO = 40;

export interface CallbackStatusesOptions {
  /** JSON bodies of the native API may also give a list of strings. */
  allowArray: boolean;
}

/**
 * The mask as the accepted event carries it: the statuses in the vocabulary's order, or
 * null for the default (absent, null, empty, or a list that names every reportable status,
 * so that the usual event carries no field). Items are trimmed; empty items (a trailing
 * comma) are skipped. `queued` is refused like an unknown name: it is never reported.
 */
export function readCallbackStatuses(
  value: unknown,
  options: CallbackStatusesOptions,
): Checked<MessageStatus[] | null> {
  if (value === undefined || value === null || value === "") return passed(null);
  let items: unknown[];
  if (typeof value === "string") items = value.split(",");
  else if (Array.isArray(value) && options.allowArray) items = value;
  else if (Array.isArray(value)) {
    return refused("invalid_params", severalGiven("callbackStatuses", "comma-separated string"));
  } else {
    return refused(
      "invalid_params",
      options.allowArray
        ? "callbackStatuses must be a comma-separated string or an array of strings"
        : "callbackStatuses must be a comma-separated string",
    );
  }

  const wanted = new Set<MessageStatus>();
  for (const item of items) {
    if (typeof item !== "string") {
      return refused("invalid_params", "callbackStatuses must list statuses as strings");
    }
    const name = item.trim();
    if (name === "") continue;
    const statuses = NAMES.get(name);
    if (!statuses) return refused("invalid_params", unknownName(name));
    for (const status of statuses) wanted.add(status);
  }
  if (wanted.size === 0)
    return refused("invalid_params", `callbackStatuses names no status; ${CHOICES}`);
  if (wanted.size === REPORTABLE_STATUSES.length) return passed(null);
  return passed(MESSAGE_STATUSES.filter((status) => wanted.has(status)));
}

function unknownName(name: string): string {
  if (name === "queued") {
    return `callbackStatuses cannot ask for queued: reports start at sent; ${CHOICES}`;
  }
  const echoed = name.length > MAX_ECHO ? `${name.slice(0, MAX_ECHO)}…` : name;
  return `callbackStatuses has an unknown status "${echoed}"; ${CHOICES}`;
}
