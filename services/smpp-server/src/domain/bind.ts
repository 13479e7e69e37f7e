import type { AccountRecord } from "@smsgw/contracts";
import { CommandStatus } from "@smsgw/smpp";

/** The account whose SMPP system_id this is, if any (the accounts bucket has one record per account). */
export function accountOfSystemId(
  records: Iterable<AccountRecord>,
  systemId: string,
): AccountRecord | undefined {
  for (const record of records) if (record.smpp?.systemId === systemId) return record;
  return undefined;
}

export interface BindInput {
  /** The account of the system_id; undefined when none has it. */
  account: AccountRecord | undefined;
  /** Whether the password matched the account's hash (false when there is no account). */
  passwordMatches: boolean;
  /** Binds the account holds now. */
  held: number;
  /** The account's own limit, else the operator's default. */
  maxBinds: number;
}

/**
 * A bind's answer (api.md section 6), first match wins: an unknown or disabled system_id
 * ESME_RINVSYSID, a wrong password ESME_RINVPASWD, one bind too many ESME_RBINDFAIL, else OK.
 */
export function decideBind(input: BindInput): number {
  const { account } = input;
  if (account?.status !== "active" || !account.smpp) return CommandStatus.ESME_RINVSYSID;
  if (!input.passwordMatches) return CommandStatus.ESME_RINVPASWD;
  if (input.held >= input.maxBinds) return CommandStatus.ESME_RBINDFAIL;
  return CommandStatus.ESME_ROK;
}

/** The account's SMPP limits: its own (`limits.smppMaxBinds`, `smppWindow`), else the defaults. */
export function smppLimitsOf(
  account: AccountRecord,
  defaults: { maxBinds: number; window: number },
): { maxBinds: number; window: number } {
  return {
    maxBinds: account.limits?.smppMaxBinds ?? defaults.maxBinds,
    window: account.limits?.smppWindow ?? defaults.window,
  };
}
