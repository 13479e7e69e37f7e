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
