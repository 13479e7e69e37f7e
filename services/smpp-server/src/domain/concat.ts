import type { PartOf } from "@smsgw/smpp";

/** One part of a concatenated submit, waiting for the others. */
export interface WaitingPart<T> {
  part: PartOf;
  /** What the caller needs back when the message is whole (the part's bytes, its PDU…). */
  value: T;
}

interface Group<T> {
  key: { from: string; to: string };
  /** Put back after an answer that left the message's fate open (it may have been accepted). */
  uncertain?: boolean;
  total: number;
  parts: Map<number, T>;
  startedAt: number;
  /** Allocated when the first part came: every part of the message is answered with it. */
  messageId: string;
}

/** A message whose parts never all came, dropped unsent and uncharged. */
export interface ExpiredGroup<T> {
  messageId: string;
  key: { from: string; to: string };
  received: number;
  total: number;
  /** The parts that came. */
  values: T[];
  /** It was put back after an answer that left its fate open: it may have been accepted. */
  uncertain: boolean;
}

export type AddOutcome<T> =
  | { kind: "waiting"; messageId: string }
  | { kind: "complete"; messageId: string; values: T[] }
  /** Not a valid part (seq outside 1..total, another part under a number taken already). */
  | { kind: "invalid"; reason: string };

/**
 * The parts of concatenated submits of one bind, joined into one message (api.md section 6:
 * "concatenated submits (UDH or SAR) are one message of several parts"). Pure: the time and
 * the new message id come in as arguments. A group is keyed by sender, recipient and
 * reference (the same reference may be reused for another recipient).
 */
export class ConcatAssembler<T> {
  readonly #groups = new Map<string, Group<T>>();
  readonly #maxGroups: number;
  readonly #samePart: (a: T, b: T) => boolean;

  /**
   * `samePart` tells a part resent (its answer lost or late, the client sent the PDU again)
   * from a different part under a number already taken; by default none is the same.
   */
  constructor(maxGroups: number, samePart: (a: T, b: T) => boolean = () => false) {
    this.#maxGroups = maxGroups;
    this.#samePart = samePart;
  }

  get size(): number {
    return this.#groups.size;
  }

  add(
    key: { from: string; to: string },
    part: PartOf,
    value: T,
    now: number,
    newMessageId: () => string,
  ): AddOutcome<T> {
    if (part.total < 1 || part.seq < 1 || part.seq > part.total) {
      return { kind: "invalid", reason: `part ${part.seq} of ${part.total}` };
    }
    const id = groupIdOf(key, part);
    let group = this.#groups.get(id);
    if (!group) {
      if (this.#groups.size >= this.#maxGroups) {
        return { kind: "invalid", reason: "too many concatenated messages waiting for parts" };
      }
      group = {
        key,
        total: part.total,
        parts: new Map(),
        startedAt: now,
        messageId: newMessageId(),
      };
      this.#groups.set(id, group);
    }
    const earlier = group.parts.get(part.seq);
    if (earlier !== undefined) {
      // A resend is answered as the part was (OK, the same id): refusing it would tell the
      // client the message failed while its other parts go on to be charged and sent.
      if (this.#samePart(earlier, value)) return { kind: "waiting", messageId: group.messageId };
      return { kind: "invalid", reason: `part ${part.seq} of ${part.total} came twice` };
    }
    group.parts.set(part.seq, value);
    if (group.parts.size < group.total) return { kind: "waiting", messageId: group.messageId };
    this.#groups.delete(id);
    const values: T[] = [];
    for (let seq = 1; seq <= group.total; seq++) values.push(group.parts.get(seq) as T);
    return { kind: "complete", messageId: group.messageId, values };
  }

  /**
   * Puts a completed message's parts back, less `part` (the one that completed it, whose
   * answer told the client to retry later: it resends that PDU alone, SMPP 3.4's 0x58 and
   * 0x08). Its resend completes the message again under the same id, so the charge and the
   * accepted event, once per id, are not repeated. Nothing is put back over a group that
   * another first part has opened meanwhile.
   */
  reopen(
    key: { from: string; to: string },
    part: PartOf,
    completed: { messageId: string; values: readonly T[] },
    now: number,
    uncertain = false,
  ): void {
    const id = groupIdOf(key, part);
    if (this.#groups.has(id)) return;
    const parts = new Map(completed.values.map((value, index) => [index + 1, value] as const));
    parts.delete(part.seq);
    this.#groups.set(id, {
      key,
      uncertain,
      total: part.total,
      parts,
      startedAt: now,
      messageId: completed.messageId,
    });
  }

  /**
   * Drops the groups started before `before` (their parts never all came); returns them, with
   * the parts that did come (the caller owes their sender an answer).
   */
  expire(before: number): Array<ExpiredGroup<T>> {
    const dropped: Array<ExpiredGroup<T>> = [];
    for (const [id, group] of this.#groups) {
      if (group.startedAt >= before) continue;
      this.#groups.delete(id);
      dropped.push({
        messageId: group.messageId,
        key: group.key,
        received: group.parts.size,
        total: group.total,
        values: [...group.parts.values()],
        uncertain: group.uncertain ?? false,
      });
    }
    return dropped;
  }
}

/** A group's key: sender, recipient, reference and total. */
function groupIdOf(key: { from: string; to: string }, part: PartOf): string {
  return `${key.from}|${key.to}|${part.ref}|${part.total}`;
}
