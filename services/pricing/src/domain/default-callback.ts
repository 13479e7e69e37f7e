import { judgeCallbackUrl } from "@smsgw/callback-guard";

export type DefaultCallbackVerdict =
  | { ok: true; value: string | null }
  | { ok: false; reason: string };

/**
 * An account's default callback URL, judged by the same guard as a message's callbackUrl
 * at acceptance (ingress `checkCallbackUrl`) and a number's inbound URL in the console
 * (`judgeCallbackUrl`). Empty clears.
 */
export function checkDefaultCallbackUrl(
  input: string | null,
  allowPrivate: boolean,
): DefaultCallbackVerdict {
  const judged = judgeCallbackUrl(input, allowPrivate);
  return judged.ok ? judged : { ok: false, reason: `callback URL refused: ${judged.reason}` };
}
