import { createHash, timingSafeEqual } from "node:crypto";
import type { AccountRecord } from "@smsgw/contracts";

export interface AccountLookup {
  get(hash: string): AccountRecord | undefined;
}

export interface Authenticator {
  /** The active account these credentials belong to, or null (unknown, wrong token, disabled). */
  authenticate(hash: string, token: string): AccountRecord | null;
}

// Compared against when the hash is unknown, so that case costs the same as a wrong token.
const NO_ACCOUNT_DIGEST = Buffer.alloc(32);

/** Authenticates from memory (the accounts KV cache): SHA-256 of the token, compared in constant time. */
export function createAuthenticator(accounts: AccountLookup): Authenticator {
  return {
    authenticate(hash, token) {
      const account = accounts.get(hash);
      const given = createHash("sha256").update(token, "utf8").digest();
      const expected = account ? Buffer.from(account.tokenSha256, "hex") : NO_ACCOUNT_DIGEST;
      const equal = expected.length === given.length && timingSafeEqual(expected, given);
      if (!account || !equal || account.status !== "active") return null;
      return account;
    },
  };
}
