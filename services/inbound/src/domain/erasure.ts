import { maskPhoneNumber, type RetentionPolicy, retentionCutoff } from "@smsgw/contracts";

/**
 * Erasure of inbound messages (ADR 0021, amendment 2): what stays of an MO once its account's
 * retention is over or the operator erased a number. The text goes; the sender (a handset's
 * number: the person) is masked as an erased message's recipient is; the recipient (the
 * account's number, from our inventory) stays, unless it is itself the number erased.
 */
export function erasedAddresses(
  message: { from: string; to: string },
  toIsErasedNumber: boolean,
): { from: string; to: string } {
  return {
    from: maskPhoneNumber(message.from),
    to: toIsErasedNumber ? maskPhoneNumber(message.to) : message.to,
  };
}

/** The retention job's question for one run: each listed account's cutoff, and everyone else's. */
export interface RetentionPlan {
  accounts: ReadonlyArray<{ accountId: string; cutoff: Date }>;
  /** For accounts the operator set nothing for, and for MO nobody owned (the operator's). */
  defaultCutoff: Date;
  /** The latest of all cutoffs: nothing received after it can be due. */
  latestCutoff: Date;
}

/**
 * An MO is due when it arrived before its account's cutoff (its retention in days counted
 * from when it arrived: an MO is final when it is received). MO nobody owned are the
 * operator's and keep the default.
 */
export function retentionPlan(policy: RetentionPolicy, now: Date): RetentionPlan {
  const accounts = Object.keys(policy.accounts).map((accountId) => ({
    accountId,
    cutoff: retentionCutoff(policy, accountId, now),
  }));
  const defaultCutoff = retentionCutoff(policy, null, now);
  const latest = Math.max(defaultCutoff.getTime(), ...accounts.map((a) => a.cutoff.getTime()));
  return { accounts, defaultCutoff, latestCutoff: new Date(latest) };
}
