/**
 * When a stream message holding erased content may be deleted (ADR 0021, the stream's
 * copies). Pure: the stream eraser (nats/stream-eraser.ts, run by the event store for sent
 * messages and by the inbound service for MO) reads the stream's first sequence, the
 * message's subject and every consumer of the stream, and asks here.
 */

/** A consumer of the stream as its info shows it. */
export interface StreamConsumer {
  name: string;
  /** Its filter subjects; none = every subject of the stream. */
  filterSubjects: readonly string[];
  /** The stream sequence it has acknowledged everything up to (its ack floor). */
  ackFloor: number;
}

/** A queued copy: its sequence, and its subject (null: the stream no longer has it). */
export interface QueuedCopy {
  seq: number;
  subject: string | null;
}

/**
 * - `gone`: no longer in the stream (aged out, dropped past the byte bound, deleted before):
 *   nothing left to do.
 * - `erase`: every consumer that delivers its subject has acknowledged past it, so deleting
 *   it takes no event from anyone, whatever else its envelope holds.
 * - `wait`: a consumer of its subject has not acknowledged it yet (or nobody reads its
 *   subject, so nobody can say it was read): tried again later, until it is safe or gone.
 */
export type CopyFate = "gone" | "erase" | "wait";

export function fateOfCopy(
  copy: QueuedCopy,
  firstSeq: number,
  consumers: readonly StreamConsumer[],
): CopyFate {
  if (copy.subject === null || copy.seq < firstSeq) return "gone";
  const { subject } = copy;
  const readers = consumers.filter((c) => readsSubject(c, subject));
  if (readers.length === 0) return "wait";
  return readers.every((c) => c.ackFloor >= copy.seq) ? "erase" : "wait";
}

function readsSubject(consumer: StreamConsumer, subject: string): boolean {
  return (
    consumer.filterSubjects.length === 0 ||
    consumer.filterSubjects.some((filter) => subjectMatches(filter, subject))
  );
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split(".");
  const have = subject.split(".");
  for (const [index, token] of want.entries()) {
    if (token === ">") return have.length > index;
    const actual = have[index];
    if (actual === undefined || (token !== "*" && token !== actual)) return false;
  }
  return want.length === have.length;
}
