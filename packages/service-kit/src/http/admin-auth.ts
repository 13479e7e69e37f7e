import { createHash, timingSafeEqual } from "node:crypto";

/** Who may call the admin API: the shared token (legacy), and named operators by digest. */
export interface AdminCredentials {
  /** ADMIN_TOKEN: one token for every operator; the actor is then whatever X-Actor says. */
  token?: string | undefined;
  /** ADMIN_OPERATORS: each operator's name and the SHA-256 of its token (hex). */
  operators?: ReadonlyMap<string, Buffer> | undefined;
}

/** Who a request proved to be: a named operator, or a holder of the shared token. */
export type AdminCaller = { kind: "operator"; name: string } | { kind: "shared" };

/**
 * The caller the `Authorization: Bearer …` header proves, or undefined. The presented token is
 * hashed once and compared with every known digest in constant time (no early exit), so
 * neither a token's length, a prefix, nor which operator matched leaks through timing.
 */
export function adminCallerOf(
  header: string | undefined,
  credentials: AdminCredentials,
): AdminCaller | undefined {
  const presented = /^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "";
  const digest = createHash("sha256").update(presented).digest();
  let found: AdminCaller | undefined;
  for (const [name, expected] of credentials.operators ?? []) {
    if (expected.length === digest.length && timingSafeEqual(digest, expected)) {
      found ??= { kind: "operator", name };
    }
  }
  if (credentials.token !== undefined) {
    const shared = createHash("sha256").update(credentials.token).digest();
    if (timingSafeEqual(digest, shared)) found ??= { kind: "shared" };
  }
  return presented.length > 0 ? found : undefined;
}

/** Compares a presented `Authorization` header with the shared admin token in constant time. */
export function isAdminAuthorized(header: string | undefined, token: string): boolean {
  return adminCallerOf(header, { token })?.kind === "shared";
}
