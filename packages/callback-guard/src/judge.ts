import { literalAddressVerdict, parseCallbackUrl } from "./url.ts";

export type CallbackUrlJudgement =
  | { ok: true; value: string | null }
  | { ok: false; reason: string };

/**
 * A callback URL typed into a form (the account's default, a number's inbound URL), judged
 * as a message's callbackUrl is at acceptance: http(s), no user info, at most 2,048
 * characters, no literal loopback/private/link-local/metadata host unless allowed. Names are
 * judged again after resolution by the dispatcher, as for every webhook. Empty clears.
 */
export function judgeCallbackUrl(
  input: string | null,
  allowPrivate: boolean,
): CallbackUrlJudgement {
  const text = input?.trim() ?? "";
  if (text === "") return { ok: true, value: null };
  const parsed = parseCallbackUrl(text);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const verdict = literalAddressVerdict(parsed.url, { allowPrivate });
  if (!verdict.allowed) return { ok: false, reason: verdict.reason };
  return { ok: true, value: text };
}
