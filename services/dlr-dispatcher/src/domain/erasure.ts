import { erasedStatusChange, messageIdTime } from "@smsgw/contracts";
import type { WebhookSource } from "./report.ts";

/**
 * Erased messages (ADR 0021) whose reports may still come in after the erasure: a status
 * change consumed after `MessagesErased` (the two come through different durables) must go
 * out as the message now is. Pure; the handlers keep the ids (a table for the queue, a
 * bounded set in memory for the fast path) and apply these rules.
 */

/** A report of an erased message: the number masked; an erased inbound message's delivery: nothing to send. */
export function erasedSource(source: WebhookSource): WebhookSource | null {
  if (source.type === "InboundDelivery") return null;
  if (source.type === "MessageStatusChanged") return erasedStatusChange(source);
  return source;
}

/** Fresh jobs as they go out after the erasures known here: masked, or (erased inbound messages) left out. */
export function withErasures<T extends { messageId: string; change: WebhookSource }>(
  jobs: readonly T[],
  isErased: (messageId: string) => boolean,
): T[] {
  return jobs.flatMap((job) => {
    if (!isErased(job.messageId)) return [job];
    const change = erasedSource(job.change);
    return change ? [{ ...job, change }] : [];
  });
}

/**
 * What the queue's insert does with a job whose message turns out erased (the same rule as
 * `erasedSource`, as the statement's columns): the masked number to put in, or drop it.
 */
export function ifErased(source: WebhookSource): { maskedNumber: string | null; drop: boolean } {
  const erased = erasedSource(source);
  return {
    maskedNumber: erased?.type === "MessageStatusChanged" ? erased.toNumber : null,
    drop: erased === null,
  };
}

/**
 * How long a status change of a message may still arrive after it was made: the stream keeps
 * it 7 days (ADR 0013), and a message's last change comes within its life (a day's margin).
 */
export const LATE_REPORT_HORIZON_MS = 8 * 24 * 60 * 60_000;

/**
 * The erased ids worth remembering: a message made longer ago than the horizon can have no
 * status change left to arrive (retention's erasures, 30 days after the final status by
 * default, add nothing). Ids that are not message ids (`in_` inbound ids) are kept.
 */
export function idsToRemember(ids: readonly string[], now: number): string[] {
  return ids.filter((id) => {
    const made = messageIdTime(id);
    return made === null || made >= now - LATE_REPORT_HORIZON_MS;
  });
}

/**
 * The erased ids one process has seen (the fast path checks each fresh report against it, no
 * query): each kept `keepMs`, at most `capacity`, the oldest forgotten first. Another
 * replica's erasures are not here; the queue's insert checks the table.
 */
export function createErasedIds(limits: { capacity: number; keepMs: number }) {
  /** id -> when it is forgotten; insertion order is expiry order (one keepMs for all). */
  const ids = new Map<string, number>();
  const forget = (now: number) => {
    for (const [id, until] of ids) {
      if (until > now && ids.size <= limits.capacity) break;
      ids.delete(id);
    }
  };
  return {
    add(erased: Iterable<string>, now: number) {
      for (const id of erased) {
        ids.delete(id);
        ids.set(id, now + limits.keepMs);
      }
      forget(now);
    },
    has(id: string, now: number): boolean {
      const until = ids.get(id);
      return until !== undefined && until > now;
    },
    get size() {
      return ids.size;
    },
  };
}

export type ErasedIds = ReturnType<typeof createErasedIds>;
