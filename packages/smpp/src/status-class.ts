import { CommandStatus as S } from "./command-status.ts";

/**
 * What a submit's command_status means for the message (see shared/reference.md):
 * - ok: accepted; the message_id is in the response.
 * - retry: the SMSC did not take it, send again later (not a duplicate risk).
 * - unclear: the SMSC may or may not have taken it; retry only if duplicates are acceptable.
 * - permanent: this message will never be accepted as it is; fail it.
 * - session: the bind is the problem, not the message.
 */
export type CommandStatusClass = "ok" | "retry" | "unclear" | "permanent" | "session";

export type CommandStatusAdvice =
  | { readonly class: "ok" }
  /** backoff "long" + slowDown: the carrier is overloaded or throttling us; slow the whole bind down. */
  | { readonly class: "retry"; readonly backoff: "short" | "long"; readonly slowDown: boolean }
  | { readonly class: "unclear" }
  | { readonly class: "permanent" }
  /** rebind: drop and bind again; stop: credentials/config are wrong, alert, never loop. */
  | { readonly class: "session"; readonly action: "rebind" | "stop" };

const OK: CommandStatusAdvice = { class: "ok" };
const RETRY_SHORT: CommandStatusAdvice = { class: "retry", backoff: "short", slowDown: false };
const RETRY_LONG: CommandStatusAdvice = { class: "retry", backoff: "long", slowDown: true };
const UNCLEAR: CommandStatusAdvice = { class: "unclear" };
const PERMANENT: CommandStatusAdvice = { class: "permanent" };
const REBIND: CommandStatusAdvice = { class: "session", action: "rebind" };
const STOP: CommandStatusAdvice = { class: "session", action: "stop" };

const table = new Map<number, CommandStatusAdvice>([
  [S.ESME_ROK, OK],
  [S.ESME_RTHROTTLED, RETRY_LONG],
  [S.ESME_RMSGQFUL, RETRY_LONG],
  [S.ESME_RSYSERR, RETRY_SHORT],
  [S.ESME_RX_T_APPN, RETRY_SHORT],
  [S.ESME_RSUBMITFAIL, UNCLEAR],
  [S.ESME_RUNKNOWNERR, UNCLEAR],
  [S.ESME_RINVBNDSTS, REBIND],
  [S.ESME_RALYBND, REBIND],
  [S.ESME_RBINDFAIL, STOP],
  [S.ESME_RINVPASWD, STOP],
  [S.ESME_RINVSYSID, STOP],
]);

/** Full advice: the class plus how to back off (retry) or what to do with the bind (session). */
export function commandStatusAdvice(status: number): CommandStatusAdvice {
  // Every code not listed (0x01, 0x0A/0x0B, 0x43, 0x48-0x51, 0x61/0x62, 0x65/0x66, 0xC0-0xC4,
  // vendor codes) is permanent for this message.
  return table.get(status) ?? PERMANENT;
}

export function classifyCommandStatus(status: number): CommandStatusClass {
  return commandStatusAdvice(status).class;
}
