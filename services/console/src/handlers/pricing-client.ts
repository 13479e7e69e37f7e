import {
  type AuditBy,
  ConsoleAccountResponse,
  ConsoleAuditResponse,
  ConsoleCreateAccountResponse,
  ConsoleKeysResponse,
  ConsoleLedgerResponse,
  ConsolePriceListResponse,
  ConsoleRequestLiveResponse,
  ConsoleRotateSmppCredentialsResponse,
  ConsoleRotateTokenResponse,
  ConsoleRotateWebhookSecretResponse,
  ConsoleSetDefaultCallbackUrlResponse,
  ConsoleSetLowBalanceThresholdResponse,
  type CreateApiKeyRequest,
  CreateApiKeyResponse,
  consoleRpcSubjects,
  type LiveRequestForm,
  RevokeApiKeyResponse,
} from "@smsgw/contracts";
import type { Nats } from "@smsgw/service-kit";
import type { z } from "zod";

/** pricing did not answer, or answered something else than its schema (show "try again"). */
export class PricingUnavailableError extends Error {
  override name = "PricingUnavailableError";
}

/** The console's requests to pricing (contracts console-rpc.ts), typed. */
export function createPricingClient(nats: Nats, prefix: string, timeoutMs: number) {
  const subjects = consoleRpcSubjects(prefix);
  async function ask<T>(subject: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    let reply: unknown;
    try {
      reply = (await nats.nc.request(subject, JSON.stringify(body), { timeout: timeoutMs })).json();
    } catch (error) {
      throw new PricingUnavailableError(`no answer on ${subject}`, { cause: error });
    }
    const parsed = schema.safeParse(reply);
    if (!parsed.success) throw new PricingUnavailableError(`unexpected answer on ${subject}`);
    return parsed.data;
  }
  return {
    createAccount: (credits: number, actor: string) =>
      ask(subjects.createAccount, { credits, actor }, ConsoleCreateAccountResponse),
    account: (accountId: string) => ask(subjects.account, { accountId }, ConsoleAccountResponse),
    rotateToken: (accountId: string, by: AuditBy) =>
      ask(subjects.rotateToken, { accountId, by }, ConsoleRotateTokenResponse),
    /** New SMPP credentials: the system_id kept (or drawn), a new password shown once. */
    rotateSmppCredentials: (accountId: string, by: AuditBy) =>
      ask(subjects.rotateSmppCredentials, { accountId, by }, ConsoleRotateSmppCredentialsResponse),
    rotateWebhookSecret: (accountId: string, by: AuditBy) =>
      ask(subjects.rotateWebhookSecret, { accountId, by }, ConsoleRotateWebhookSecretResponse),
    ledger: (accountId: string, limit: number, before?: string) =>
      ask(
        subjects.ledger,
        { accountId, limit, ...(before ? { before } : {}) },
        ConsoleLedgerResponse,
      ),
    priceList: (accountId: string, search: string) =>
      ask(subjects.priceList, { accountId, search }, ConsolePriceListResponse),
    setDefaultCallbackUrl: (accountId: string, defaultCallbackUrl: string | null, by: AuditBy) =>
      ask(
        subjects.setDefaultCallbackUrl,
        { accountId, defaultCallbackUrl, by },
        ConsoleSetDefaultCallbackUrlResponse,
      ),
    keys: (accountId: string) => ask(subjects.keys, { accountId }, ConsoleKeysResponse),
    /** The key with the digest of a secret the console made (it never leaves the console). */
    createKey: (accountId: string, key: CreateApiKeyRequest["key"], by: AuditBy) =>
      ask(subjects.createKey, { accountId, key, by }, CreateApiKeyResponse),
    revokeKey: (accountId: string, keyId: string, by: AuditBy) =>
      ask(subjects.revokeKey, { accountId, keyId, by }, RevokeApiKeyResponse),
    audit: (accountId: string) => ask(subjects.audit, { accountId }, ConsoleAuditResponse),
    setLowBalanceThreshold: (accountId: string, threshold: number | null, by: AuditBy) =>
      ask(
        subjects.setLowBalanceThreshold,
        { accountId, threshold, by },
        ConsoleSetLowBalanceThresholdResponse,
      ),
    requestLive: (accountId: string, form: LiveRequestForm, by: AuditBy) =>
      ask(subjects.requestLive, { accountId, form, by }, ConsoleRequestLiveResponse),
  };
}
export type PricingClient = ReturnType<typeof createPricingClient>;
