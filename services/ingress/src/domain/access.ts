import type { AccountRecord, ApiKeyRecord, ApiKeyScope, AuditBy } from "@smsgw/contracts";
import { ALL_SCOPES, isAllowedIp } from "@smsgw/contracts";
import { type ApiError, apiError } from "@smsgw/message-acceptance";

/**
 * Who is asking: the account, and the API key when a key (not the account's token) was
 * presented. The token has every scope and no IP allowlist (api.md section 8).
 */
export interface Principal {
  account: AccountRecord;
  key: ApiKeyRecord | null;
}

export function scopesOf(principal: Principal): readonly ApiKeyScope[] {
  return principal.key ? principal.key.scopes : ALL_SCOPES;
}

/**
 * Whether this credential may make a request that needs `scope` (null: any credential)
 * from `clientIp` (the address ingress derived, with TRUST_PROXY). A refusal is `forbidden`,
 * after authentication: the credentials were right, the request is not theirs to make.
 */
export function checkAccess(
  principal: Principal,
  scope: ApiKeyScope | null,
  clientIp: string,
): ApiError | null {
  const { key } = principal;
  if (!key) return null;
  if (scope && !key.scopes.includes(scope)) {
    return apiError("forbidden", `this API key does not have the ${scope} scope`);
  }
  if (key.allowedIps.length > 0 && !isAllowedIp(clientIp, key.allowedIps)) {
    return apiError("forbidden", "this API key may not be used from this address");
  }
  return null;
}

/** The audit log's "who": the credential this replica verified, and the client's address. */
export function auditBy(principal: Principal, ip: string): AuditBy {
  return { actor: principal.key ? `api:${principal.key.id}` : "api:token", ip: ip || null };
}
