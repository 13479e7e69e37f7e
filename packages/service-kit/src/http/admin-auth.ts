import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";

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

/** Whether an admin API has anyone who may call it (else it stays off). */
export function hasAdminCredentials(credentials: AdminCredentials): boolean {
  return credentials.token !== undefined || (credentials.operators?.size ?? 0) > 0;
}

/**
 * Who a change is recorded as: a named operator is who its token proves; the shared token's
 * holder is only "admin-api" (what it says of itself, X-Actor, is not proof).
 */
export function adminActorOf(caller: AdminCaller): string {
  return caller.kind === "operator" ? `operator:${caller.name}` : "admin-api";
}

/**
 * ADMIN_OPERATORS (issue 22): `name:sha256-of-token-hex` pairs, comma separated, for every
 * service's admin API. Only the digests are configured, so the setting is not a secret.
 */
export const adminOperatorsSetting = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const operators = new Map<string, Buffer>();
    for (const pair of value
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const match = /^([a-z0-9_.-]{1,32}):([0-9a-f]{64})$/.exec(pair);
      if (!match?.[1] || !match[2]) {
        ctx.addIssue({
          code: "custom",
          message: "each operator is name:sha256hex (name: a-z 0-9 _ . -, at most 32)",
        });
        return z.NEVER;
      }
      operators.set(match[1], Buffer.from(match[2], "hex"));
    }
    return operators;
  });
