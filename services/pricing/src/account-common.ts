import { sql } from "kysely";

/** What account operations refuse with: a code the admin API maps to a status. */
export const AccountErrorCode = {
  InvalidInput: "invalid_input",
  NotFound: "not_found",
  NameTaken: "name_taken",
  /** A credit movement's reference names another movement of the account (a different amount or kind). */
  ReferenceReused: "reference_reused",
} as const;
export type AccountErrorCode = (typeof AccountErrorCode)[keyof typeof AccountErrorCode];

export class AccountError extends Error {
  override name = "AccountError";
  readonly code: AccountErrorCode;
  constructor(code: AccountErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An account is named by its name or its id (`acc_…`). */
export function matches(account: string) {
  return sql<boolean>`(account_id = ${account} or name = ${account})`;
}

export function invalid(message: string): AccountError {
  return new AccountError(AccountErrorCode.InvalidInput, message);
}

export function notFound(account: string): AccountError {
  return new AccountError(AccountErrorCode.NotFound, `no account named "${account}"`);
}

/**
 * A row's new `updated_at`, later than its last by at least a millisecond (the record's
 * precision): the bucket keeps the record with the latest `updatedAt` (accounts-kv.ts), and
 * `now()`, the transaction's start, can be earlier than that of a concurrent change that
 * committed first (two keys created at once lost one at the readers; a token rotated while a
 * key was created would not have reached them). Evaluated after the row lock, on the latest
 * committed row. Key changes and token rotations use it; the other settings still use now().
 */
export const LATER = sql<Date>`greatest(clock_timestamp(), updated_at + interval '1 millisecond')`;
