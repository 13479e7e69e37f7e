import { CommandStatus } from "@smsgw/smpp";

/** The carrier says "slow down": the part was not taken, so it is kept and sent again. */
export function isThrottle(commandStatus: number): boolean {
  return (
    commandStatus === CommandStatus.ESME_RTHROTTLED || commandStatus === CommandStatus.ESME_RMSGQFUL
  );
}

/**
 * The carrier's own trouble of the moment (ESME_RSYSERR, ESME_RX_T_APPN: "retry later" in
 * reference.md): the part was not taken, so it is sent again on the same carrier a few times
 * (`TRANSIENT_RETRIES`, `transientRetryDelayMs` apart) before the message fails over. No
 * carrier-wide pause: it says nothing of our rate.
 */
export function isTransientRefusal(commandStatus: number): boolean {
  return (
    commandStatus === CommandStatus.ESME_RSYSERR || commandStatus === CommandStatus.ESME_RX_T_APPN
  );
}

/** Sends again of a part refused for the carrier's trouble of the moment. */
export const TRANSIENT_RETRIES = 3;

/** 250 ms, then 500, then 1 s: an SMSC restarting a component is back within seconds or not soon. */
export function transientRetryDelayMs(attempt: number): number {
  return 250 * 2 ** Math.max(0, attempt - 1);
}

/** The bind itself is broken (ESME_RINVBNDSTS, ESME_RALYBND): drop it and bind again. */
export function isRebind(commandStatus: number): boolean {
  return (
    commandStatus === CommandStatus.ESME_RINVBNDSTS || commandStatus === CommandStatus.ESME_RALYBND
  );
}

/**
 * How long a carrier is left alone after its n-th throttle in a row: 200 ms doubling to 10 s.
 * Short at first (a TPS window is usually one second), long when it keeps saying no. A full
 * message queue (ESME_RMSGQFUL) takes seconds to drain, not a TPS window: it starts at 2 s.
 */
export function throttlePauseMs(consecutive: number, commandStatus?: number): number {
  const first = commandStatus === CommandStatus.ESME_RMSGQFUL ? 2_000 : 200;
  return Math.min(10_000, first * 2 ** Math.max(0, consecutive - 1));
}
