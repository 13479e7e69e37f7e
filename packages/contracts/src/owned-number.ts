import { z } from "zod";

/**
 * A number an account holds (api.md section 5): an entry of the KV bucket
 * `subjects(p).numbersBucket`, keyed `ownedNumberKey(number)`. The inbound service, which owns
 * the inventory, writes it when a number is taken and deletes it when released; ingress and
 * the SMPP server keep the bucket in memory (KV watch) so that a numeric sender the account
 * holds passes the sender rules, a map lookup per send.
 */
export const OwnedNumberRecord = z.object({
  /** E.164. */
  number: z.string(),
  accountId: z.string(),
});
export type OwnedNumberRecord = z.infer<typeof OwnedNumberRecord>;

/** The number's digits: KV key tokens allow no "+", and a numeric sender may omit it. */
export function ownedNumberKey(number: string): string {
  return number.trim().replace(/^\+/, "");
}
