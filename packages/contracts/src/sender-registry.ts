import { z } from "zod";

/**
 * An alphanumeric sender ID the operator approved for one account (issue 18: "registered per
 * account, approved by the operator"): an entry of the KV bucket
 * `subjects(p).senderIdsBucket`, keyed `senderIdKey(accountId, sender)`. The inbound service,
 * which keeps the registrations, writes it on approval and deletes it when the registration
 * is withdrawn or revoked; the doors keep the bucket in memory (KV watch), so a destination
 * whose sender rule turns the registry on (`SenderRule.accountRegistry`) refuses any other
 * alphanumeric sender with `invalid_sender`, a map lookup per send.
 */
export const SenderIdRecord = z.object({
  accountId: z.string(),
  /** As registered (trimmed); matched exactly, case included, as carriers show it. */
  sender: z.string(),
  approvedAt: z.iso.datetime(),
});
export type SenderIdRecord = z.infer<typeof SenderIdRecord>;

/** `<accountId>.<hex of the sender's characters>`: a sender may hold spaces and punctuation. */
export function senderIdKey(accountId: string, sender: string): string {
  let hex = "";
  for (const c of sender.trim()) hex += (c.codePointAt(0) ?? 0).toString(16).padStart(2, "0");
  return `${accountId}.${hex}`;
}
