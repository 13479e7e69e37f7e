import { literalAddressVerdict, parseCallbackUrl } from "@smsgw/callback-guard";

export type DefaultCallbackVerdict =
  | { ok: true; value: string | null }
  | { ok: false; reason: string };

/**
 * An account's default callback URL, judged by the same guard as a message's callbackUrl
 * at acceptance (ingress `checkCallbackUrl`): http(s), no user info, at most 2,048
 * characters, no literal loopback/private/link-local/metadata host unless allowed. Names
 * are judged again after resolution by the dispatcher, as for every report. Empty clears.
 */
export function checkDefaultCallbackUrl(
  input: string | null,
  allowPrivate: boolean,
): DefaultCallbackVerdict {
  const text = input?.trim() ?? "";
  if (text === "") return { ok: true, value: null };
  const parsed = parseCallbackUrl(text);
  if (!parsed.ok) return { ok: false, reason: `callback URL refused: ${parsed.reason}` };
  const verdict = literalAddressVerdict(parsed.url, { allowPrivate });
  if (!verdict.allowed) return { ok: false, reason: `callback URL refused: ${verdict.reason}` };
  return { ok: true, value: text };
}
