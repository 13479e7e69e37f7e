import { z } from "zod";

/**
 * A number that told an account STOP (api.md section 5): an entry of the KV bucket
 * `subjects(p).optOutsBucket`, keyed `optOutKey(accountId, number)`. The inbound service
 * writes it (keywords, the API); ingress and the SMPP server keep the bucket in memory (KV
 * watch) and refuse a send to such a number with `opted_out`, a map lookup per send.
 */
export const OptOutRecord = z.object({
  accountId: z.string(),
  /** E.164. */
  number: z.string(),
  since: z.iso.datetime(),
  /** How it got there: the keyword (STOP, …) or the API. */
  source: z.string().max(32),
});
export type OptOutRecord = z.infer<typeof OptOutRecord>;

/** `<accountId>.<digits>`: KV key tokens allow no "+". */
export function optOutKey(accountId: string, e164: string): string {
  return `${accountId}.${e164.replace(/^\+/, "")}`;
}
