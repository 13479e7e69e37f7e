import type { Nats } from "@smsgw/service-kit";
import { type DurableBacklog, isPerCarrier, onDeliveryPath } from "../domain/backlog.ts";

export interface BacklogProbeDeps {
  jsm: Nats["jsm"];
  stream: string;
  /** The subjects between an accepted message and its carrier (accepted, routed, submit, …). */
  path: readonly string[];
  /** Durables on those subjects the operator does not want to count. */
  ignored: ReadonlySet<string>;
  /** The per-carrier subjects among them (submit orders, legacy routed events). */
  perCarrier: readonly string[];
}

/**
 * Reads how far behind the delivery path's durables are: one request lists the stream's
 * consumers (their info included), and for each durable on the path with messages not yet
 * delivered, one request reads the oldest of them. Durables are chosen by filter subject
 * (domain/backlog.ts), so a new carrier's durable or a renamed subject is covered.
 */
export async function probeBacklog(deps: BacklogProbeDeps): Promise<DurableBacklog[]> {
  const seen: DurableBacklog[] = [];
  const lookups: Promise<void>[] = [];
  for await (const info of deps.jsm.consumers.list(deps.stream)) {
    const { filter_subject, filter_subjects } = info.config;
    const filters = filter_subjects ?? (filter_subject ? [filter_subject] : []);
    if (!onDeliveryPath({ name: info.name, filters }, deps.path, deps.ignored)) continue;
    const entry: DurableBacklog = {
      name: info.name,
      pending: info.num_pending,
      ackPending: info.num_ack_pending,
      oldestWaitingAt: null,
      pulled: info.num_waiting > 0 || !isPerCarrier(filters, deps.perCarrier),
    };
    seen.push(entry);
    if (info.num_pending > 0) {
      lookups.push(
        oldestWaitingAt(deps, info.delivered.stream_seq + 1, filters).then((at) => {
          entry.oldestWaitingAt = at;
        }),
      );
    }
  }
  await Promise.all(lookups);
  return seen;
}

/** When the first message on or after `fromSeq` matching the filters was stored (ms), or null. */
async function oldestWaitingAt(
  deps: BacklogProbeDeps,
  fromSeq: number,
  filters: readonly string[],
): Promise<number | null> {
  const subjects = filters.length > 0 ? filters : [">"];
  const times = await Promise.all(
    subjects.map(async (subject) => {
      // STREAM.MSG.GET with next_by_subj (nats-server 2.9+): the first message on or after
      // `seq` matching the filter, i.e. the oldest one the durable has not delivered yet.
      // The client's type knows only `seq` or `last_by_subj`; the server takes both fields.
      const query = { seq: fromSeq, next_by_subj: subject } as unknown as { seq: number };
      const message = await deps.jsm.streams.getMessage(deps.stream, query);
      return message ? message.time.getTime() : null;
    }),
  );
  const known = times.filter((t): t is number => t !== null);
  return known.length > 0 ? Math.min(...known) : null;
}
