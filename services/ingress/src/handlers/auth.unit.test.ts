import { describe, expect, it } from "vitest";
import { accountRecordWithToken } from "../testing/account-record.ts";
import { authenticateOnce, createAuthenticator, rememberPrincipal } from "./auth.ts";

const token = "right-token";
const account = accountRecordWithToken(token, { accountId: "acc_auth", hash: "hash_auth" });
const authenticator = createAuthenticator(new Map([[account.hash, account]]));

describe("authenticateOnce", () => {
  it("when the front door verified these very credentials on the request, its verdict is reused", () => {
    const request = {};
    const principal = { account, key: null };
    rememberPrincipal(request, account.hash, token, principal);
    expect(authenticateOnce(authenticator, request, account.hash, token)).toBe(principal);
  });

  it("when the request carries other credentials than the door verified, they are checked on their own", () => {
    const request = {};
    rememberPrincipal(request, account.hash, token, { account, key: null });
    expect(authenticateOnce(authenticator, request, account.hash, "wrong-token")).toBeNull();
    expect(authenticateOnce(authenticator, request, "other-hash", token)).toBeNull();
  });

  it("when the account changed after the door verified the request (a key revoked, the account disabled), the credentials are checked again", () => {
    const accounts = new Map([[account.hash, account]]);
    const live = createAuthenticator(accounts);
    const request = {};
    const principal = live.authenticate(account.hash, token);
    expect(principal).not.toBeNull();
    rememberPrincipal(request, account.hash, token, principal as NonNullable<typeof principal>);
    accounts.set(account.hash, { ...account, status: "disabled" });
    expect(authenticateOnce(live, request, account.hash, token)).toBeNull();
  });

  it("when the door verified nothing on the request, the credentials are checked", () => {
    expect(authenticateOnce(authenticator, {}, account.hash, token)?.account).toBe(account);
    expect(authenticateOnce(authenticator, {}, account.hash, "wrong-token")).toBeNull();
  });
});
