/**
 * How far behind the delivery path is, from what JetStream says of its durables. Pure: the
 * handler lists the stream's consumers, reads the oldest message each has not delivered yet,
 * and passes them in. Durables are found by their filter subject, not their name, so a new
 * carrier's durable (or a renamed subject) is covered without a change here.
 */

/** Do two subjects (with `*` and `>` wildcards) have a subject in common? */
export function subjectsOverlap(a: string, b: string): boolean {
  const left = a.split(".");
  const right = b.split(".");
  for (let i = 0; ; i++) {
    const l = left[i];
    const r = right[i];
    if (l === ">" || r === ">") return l !== undefined && r !== undefined;
    if (l === undefined || r === undefined) return l === r;
    if (l !== r && l !== "*" && r !== "*") return false;
  }
}

export interface DurableView {
  name: string;
  /** Its filter subjects; empty means the whole stream. */
  filters: readonly string[];
}

/**
 * Whether a durable stands between an accepted message and its carrier: its filter overlaps
 * the delivery path's subjects, and the operator has not set it aside.
 */
export function onDeliveryPath(
  durable: DurableView,
  path: readonly string[],
  ignored: ReadonlySet<string>,
): boolean {
  if (ignored.has(durable.name)) return false;
  if (durable.filters.length === 0) return true;
  return durable.filters.some((filter) => path.some((subject) => subjectsOverlap(filter, subject)));
}

/** Does `pattern` match every subject `filter` matches (wildcards on both sides)? */
export function subjectCovers(pattern: string, filter: string): boolean {
  const outer = pattern.split(".");
  const inner = filter.split(".");
  for (let i = 0; ; i++) {
    const p = outer[i];
    const f = inner[i];
    if (p === ">") return f !== undefined;
    if (p === undefined || f === undefined) return p === f;
    if (f === ">") return false;
    if (p !== "*" && p !== f) return false;
  }
}

/** Whether a durable reads per-carrier work only (each of its filters within one of those subjects). */
export function isPerCarrier(filters: readonly string[], perCarrier: readonly string[]): boolean {
  return (
    filters.length > 0 &&
    filters.every((filter) => perCarrier.some((subject) => subjectCovers(subject, filter)))
  );
}

export interface DurableBacklog {
  name: string;
  /** Messages it has not delivered yet. */
  pending: number;
  /** Messages delivered and not acknowledged yet. */
  ackPending: number;
  /** When the oldest message it has not delivered yet was stored (ms); null when none waits. */
  oldestWaitingAt: number | null;
  /**
   * False for a carrier's own durable that nobody pulls from (no pull request waits at the
   * server: its binds are down, or no connector has it). That is the carrier's trouble, which
   * failover handles, and must not make the whole gateway refuse sends; a shared stage nobody
   * reads (routing stopped) still counts. Absent = counted.
   */
  pulled?: boolean;
}

export interface Backlog {
  /** Age of the oldest waiting message over all durables (ms), 0 when none waits. */
  ageMs: number;
  /** The durable that holds it, or null. */
  durable: string | null;
}

/** The oldest wait over the durables: the stage furthest behind. */
export function backlogOf(durables: readonly DurableBacklog[], now: number): Backlog {
  let worst: Backlog = { ageMs: 0, durable: null };
  for (const durable of durables) {
    if (durable.pending === 0 || durable.oldestWaitingAt === null) continue;
    if (durable.pulled === false) continue;
    const ageMs = Math.max(0, now - durable.oldestWaitingAt);
    if (ageMs > worst.ageMs) worst = { ageMs, durable: durable.name };
  }
  return worst;
}
