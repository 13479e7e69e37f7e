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
