/** What an inbound text does to the sender's place on the account's opt-out list. */
export type OptOutChange = "stop" | "start";

const STOP = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
const START = new Set(["START", "UNSTOP", "YES"]);

/**
 * api.md section 5: a text that is exactly one of the keywords, case and surrounding spaces
 * ignored, opts its sender out (STOP, …) or back in (START, UNSTOP, YES); anything else
 * (a keyword inside a sentence too) changes nothing. The message stays an inbound message.
 */
export function optOutChangeOf(text: string): OptOutChange | null {
  const word = text.trim().toUpperCase();
  if (STOP.has(word)) return "stop";
  if (START.has(word)) return "start";
  return null;
}

/** A keyword message as far as its order goes: when it came, and its id for a tie. */
export interface KeywordMessage {
  id: string;
  /** ISO UTC, as stored. */
  receivedAt: string;
  text: string;
}

/**
 * Whether a STOP or START is the sender's latest word to the account, given the sender's other
 * messages to it that came no earlier: a keyword that came later decides, whatever order the
 * two were handled in (a redelivery, a republish, two replicas at once). Later is a later
 * `receivedAt`, or the same one and a greater id. Messages that are no keyword do not count.
 */
export function isLatestKeyword(
  mine: Pick<KeywordMessage, "id" | "receivedAt">,
  others: readonly KeywordMessage[],
): boolean {
  const at = Date.parse(mine.receivedAt);
  return !others.some((other) => {
    if (other.id === mine.id || optOutChangeOf(other.text) === null) return false;
    const otherAt = Date.parse(other.receivedAt);
    return otherAt > at || (otherAt === at && other.id > mine.id);
  });
}

/** An entry of an account's opt-out list, as far as its order goes. */
interface Listed {
  since: string;
  /** Its revision in the bucket: unique, so it breaks ties of `since`. */
  revision: number;
}

/**
 * One page of an account's list, oldest first (ties by revision), after `cursor` (the last
 * entry of the page before), and whether more follow.
 */
export function optOutPage<T extends Listed>(
  entries: readonly T[],
  cursor: Listed | null,
  limit: number,
): { page: T[]; more: boolean } {
  const order = (a: Listed, b: Listed) => a.since.localeCompare(b.since) || a.revision - b.revision;
  const after = cursor === null ? entries : entries.filter((e) => order(e, cursor) > 0);
  const sorted = [...after].sort(order);
  return { page: sorted.slice(0, limit), more: sorted.length > limit };
}
