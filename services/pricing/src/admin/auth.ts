import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented `Authorization` header with the admin token in constant time:
 * both are hashed first, so neither the length nor a prefix of the token leaks.
 */
export function isAdminAuthorized(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "";
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}
