export interface Credentials {
  hash: string;
  token: string;
}

/**
 * Credentials of the native API: HTTP Basic (`hash:token`) first, else the `hash` and
 * `token` query fields (each a single, non-empty string). Null when neither is usable.
 */
export function readCredentials(
  authorization: string | undefined,
  query: unknown,
): Credentials | null {
  if (authorization !== undefined) return parseBasic(authorization);
  if (typeof query !== "object" || query === null) return null;
  const { hash, token } = query as Record<string, unknown>;
  if (typeof hash !== "string" || typeof token !== "string" || !hash || !token) return null;
  return { hash, token };
}

export function parseBasic(header: string): Credentials | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return null;
  return { hash: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}
