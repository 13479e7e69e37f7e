import { CommandStatus } from "@smsgw/smpp";

/** The carrier says "slow down": the part was not taken, so it is kept and sent again. */
export function isThrottle(commandStatus: number): boolean {
  return (
    commandStatus === CommandStatus.ESME_RTHROTTLED || commandStatus === CommandStatus.ESME_RMSGQFUL
  );
}

/** The bind itself is broken (ESME_RINVBNDSTS, ESME_RALYBND): drop it and bind again. */
export function isRebind(commandStatus: number): boolean {
  return (
    commandStatus === CommandStatus.ESME_RINVBNDSTS || commandStatus === CommandStatus.ESME_RALYBND
  );
}

/**
 * How long a carrier is left alone after its n-th throttle in a row: 200 ms doubling to 10 s.
 * Short at first (a TPS window is usually one second), long when it keeps saying no.
 */
export function throttlePauseMs(consecutive: number): number {
  return Math.min(10_000, 200 * 2 ** Math.max(0, consecutive - 1));
}
