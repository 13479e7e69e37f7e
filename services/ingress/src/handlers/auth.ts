import { createHash, timingSafeEqual } from "node:crypto";
import { type AccountRecord, keyIdOfSecret } from "@smsgw/contracts";
import type { Principal } from "../domain/access.ts";

export interface AccountLookup {
  get(hash: string): AccountRecord | undefined;
}

export interface Authenticator {
  /**
   * Who these credentials are (the account, and the API key when the token is a key's
   * secret), or null: unknown hash, wrong token or secret, revoked key, disabled account.
   */
  authenticate(hash: string, token: string): Principal | null;
  /**
   * Whether a principal found earlier still stands: its account's record is the one in
   * memory now (every change of the account, a key revoked or the account disabled, is a
   * new record).
   */
  isCurrent(principal: Principal): boolean;
}

// Compared against when the hash or the key is unknown, so that costs the same as a wrong secret.
const NO_DIGEST = Buffer.alloc(32);

/**
 * Authenticates from memory (the accounts KV cache): one SHA-256 of the presented token,
 * compared in constant time with one digest. A key's secret names its key
 * (`<keyId>.<random>`), so the digest it is compared with is found by id, not by trying each
 * of the account's keys: a wrong secret costs the same whatever the number of keys.
 */
export function createAuthenticator(accounts: AccountLookup): Authenticator {
  return {
    authenticate(hash, token) {
      const account = accounts.get(hash);
      const keyId = keyIdOfSecret(token);
      // At most API_KEYS_PER_ACCOUNT ids, compared as public strings.
      const key = keyId ? (account?.apiKeys?.find((k) => k.id === keyId) ?? null) : null;
      const digest = keyId ? key?.secretSha256 : account?.tokenSha256;
      const given = createHash("sha256").update(token, "utf8").digest();
      const expected = digest ? Buffer.from(digest, "hex") : NO_DIGEST;
      const equal = expected.length === given.length && timingSafeEqual(expected, given);
      if (!account || !digest || !equal || account.status !== "active") return null;
      return { account, key };
    },
    isCurrent: (principal) => accounts.get(principal.account.hash) === principal.account,
  };
}

/** Credentials the front door verified on a request, and whom they named. */
const verified = new WeakMap<object, { hash: string; token: string; principal: Principal }>();

/** Remembers for the rest of the request that these credentials named `principal`. */
export function rememberPrincipal(
  request: object,
  hash: string,
  token: string,
  principal: Principal,
): void {
  verified.set(request, { hash, token, principal });
}

/**
 * `authenticate`, once per request: the front door's verdict when it verified exactly these
 * credentials on this request (both strings come from the request: comparing them leaks
 * nothing) and the account has not changed since (a body may take the client up to the
 * request's deadline to send), else a check of its own.
 */
export function authenticateOnce(
  authenticator: Authenticator,
  request: object,
  hash: string,
  token: string,
): Principal | null {
  const seen = verified.get(request);
  if (
    seen &&
    seen.hash === hash &&
    seen.token === token &&
    authenticator.isCurrent(seen.principal)
  ) {
    return seen.principal;
  }
  return authenticator.authenticate(hash, token);
}
