import type { MessageView } from "@smsgw/message-read-model";
import { messageStateCode, smppAbsoluteTime } from "@smsgw/smpp";
import { errOf, statOf } from "./receipt.ts";

/** What query_sm_resp says of a message (SMPP 3.4 4.8.2). */
export interface QueryAnswer {
  messageState: number;
  /** When it became final, as an SMPP absolute time; "" while it is not. */
  finalDate: string;
  /** The receipt's `err:` as a number (api.md's errorCode table); 0 while not final or delivered. */
  errorCode: number;
}

/**
 * A message's state as an SMPP 3.4 peer reads it, the same words its receipt would carry: a
 * message not final yet (waiting for its sendAt, or with a carrier) is ENROUTE, as 3.4 has no
 * SCHEDULED; a final one is its receipt's stat, its final time and its receipt's err.
 */
export function queryAnswerOf(view: MessageView): QueryAnswer {
  const stat = statOf(view.status, view.errorCode);
  if (!stat) return { messageState: messageStateCode("ENROUTE"), finalDate: "", errorCode: 0 };
  const finalAt = view.statusTimes[view.status] ?? view.updatedAt;
  return {
    messageState: messageStateCode(stat),
    finalDate: smppAbsoluteTime(new Date(finalAt)),
    errorCode: Number(errOf(view.status, view.errorCode)),
  };
}

/**
 * Whether query_sm's or cancel_sm's source_addr names the message's sender (SMPP 3.4 4.8,
 * 4.9: it must match the original's). Empty, it is not checked, as most SMSCs do; a number
 * matches with or without its "+".
 */
export function sameSource(given: string, from: string): boolean {
  const trimmed = given.trim();
  if (trimmed === "") return true;
  return trimmed.replace(/^\+/, "") === from.replace(/^\+/, "");
}
