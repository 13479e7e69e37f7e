import { z } from "zod";
import { AuditBy } from "./audit.ts";
import { LiveRequestView } from "./going-live.ts";

/**
 * console -> pricing (request/reply, queue group "pricing"): what the customer console asks
 * of the account's owner. Money is integer money units (money.ts). Every answer is a union
 * on `outcome`, with `error` for a request pricing refused or could not answer.
 */
export interface ConsoleRpcSubjects {
  /** A new TEST account with free test credits; the token is in this answer only. */
  readonly createAccount: string;
  readonly account: string;
  readonly rotateToken: string;
  readonly rotateWebhookSecret: string;
  readonly ledger: string;
  readonly priceList: string;
  /** The account's default callback URL (AccountRecord.defaultCallbackUrl); null clears it. */
  readonly setDefaultCallbackUrl: string;
  /** The account's API keys (`ConsoleKeysResponse`), and adding or revoking one (api-key.ts). */
  readonly keys: string;
  readonly createKey: string;
  readonly revokeKey: string;
  /** The account's latest audit entries (`ConsoleAuditResponse`). */
  readonly audit: string;
  /** One team change the console made (`ConsoleRecordAuditRequest`, audit.ts). */
  readonly recordAudit: string;
  /** Asking for live sending (going-live.ts); the latest request is in `account`'s answer. */
  readonly requestLive: string;
  /** The account's low-balance threshold (going-live.ts). */
  readonly setLowBalanceThreshold: string;
  /** New SMPP credentials (api.md section 6); the password is in this answer only. */
  readonly rotateSmppCredentials: string;
}

/** The subjects hang off the same `<p>.rpc.pricing.` as authorize, balance and price. */
export function consoleRpcSubjects(prefix: string): ConsoleRpcSubjects {
  const base = `${prefix}.rpc.pricing.console`;
  return {
    createAccount: `${base}.create_account`,
    account: `${base}.account`,
    rotateToken: `${base}.rotate_token`,
    rotateWebhookSecret: `${base}.rotate_webhook_secret`,
    ledger: `${base}.ledger`,
    priceList: `${base}.price_list`,
    setDefaultCallbackUrl: `${base}.set_default_callback_url`,
    keys: `${base}.keys`,
    createKey: `${base}.create_key`,
    revokeKey: `${base}.revoke_key`,
    audit: `${base}.audit`,
    recordAudit: `${base}.record_audit`,
    requestLive: `${base}.request_live`,
    setLowBalanceThreshold: `${base}.set_low_balance_threshold`,
    rotateSmppCredentials: `${base}.rotate_smpp_credentials`,
  };
}

const Failure = z.object({ outcome: z.literal("error"), reason: z.string() });

export const ConsoleCreateAccountRequest = z.object({
  /** Free test credits, in money units (the console's configuration decides how many). */
  credits: z.number().int().nonnegative().max(1_000_000),
  /** Who asked, for the ledger's actor column (e.g. "console:usr_…"). */
  actor: z.string().min(1).max(100),
});
export type ConsoleCreateAccountRequest = z.infer<typeof ConsoleCreateAccountRequest>;

export const ConsoleCredentials = z.object({
  accountId: z.string(),
  hash: z.string(),
  token: z.string(),
  webhookSecret: z.string(),
});
export type ConsoleCredentials = z.infer<typeof ConsoleCredentials>;

export const ConsoleCreateAccountResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("created"), credentials: ConsoleCredentials }),
  Failure,
]);
export type ConsoleCreateAccountResponse = z.infer<typeof ConsoleCreateAccountResponse>;

export const ConsoleAccountRequest = z.object({
  accountId: z.string().min(1).max(64),
  /** Who asked (the session's user, its address), for the audit log of a change. */
  by: AuditBy.optional(),
});
export type ConsoleAccountRequest = z.infer<typeof ConsoleAccountRequest>;

export const ConsoleAccount = z.object({
  accountId: z.string(),
  hash: z.string(),
  status: z.enum(["active", "disabled"]),
  test: z.boolean(),
  currency: z.string(),
  balance: z.number().int(),
  /** Additive: absent from a pricing that predates it. */
  defaultCallbackUrl: z.string().nullable().optional(),
  /** Additive: money units; below it the console warns and a balance webhook goes out. */
  lowBalanceThreshold: z.number().int().nullable().optional(),
  /** Additive: the account's latest request for live sending, if any. */
  liveRequest: LiveRequestView.nullable().optional(),
  /** The SMPP system_id (never the password: only its hash is kept); null before any. Additive. */
  smppSystemId: z.string().nullable().optional(),
});
export type ConsoleAccount = z.infer<typeof ConsoleAccount>;

export const ConsoleAccountResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("account"), account: ConsoleAccount }),
  Failure,
]);
export type ConsoleAccountResponse = z.infer<typeof ConsoleAccountResponse>;

export const ConsoleRotateTokenResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("rotated"), hash: z.string(), token: z.string() }),
  Failure,
]);
export type ConsoleRotateTokenResponse = z.infer<typeof ConsoleRotateTokenResponse>;

/** Asked with `ConsoleAccountRequest` (its `by` is audited); the password is shown once. */
export const ConsoleRotateSmppCredentialsResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("rotated"), systemId: z.string(), password: z.string() }),
  Failure,
]);
export type ConsoleRotateSmppCredentialsResponse = z.infer<
  typeof ConsoleRotateSmppCredentialsResponse
>;

export const ConsoleRotateWebhookSecretResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("rotated"), webhookSecret: z.string() }),
  Failure,
]);
export type ConsoleRotateWebhookSecretResponse = z.infer<typeof ConsoleRotateWebhookSecretResponse>;

export const ConsoleLedgerRequest = z.object({
  accountId: z.string().min(1).max(64),
  limit: z.number().int().min(1).max(200),
  /** The `id` of the last entry of the previous page (newest first). */
  before: z
    .string()
    .regex(/^[0-9]{1,18}$/)
    .optional(),
});
export type ConsoleLedgerRequest = z.infer<typeof ConsoleLedgerRequest>;

export const ConsoleLedgerEntry = z.object({
  id: z.string(),
  kind: z.enum(["topup", "charge", "refund", "adjustment", "transfer"]),
  amount: z.number().int(),
  /** The balance right after this entry. */
  balanceAfter: z.number().int(),
  messageId: z.string().nullable(),
  note: z.string(),
  /** A top-up's or adjustment's reference (a payment's id); absent from an older pricing. */
  reference: z.string().nullable().optional(),
  createdAt: z.string(),
});
export type ConsoleLedgerEntry = z.infer<typeof ConsoleLedgerEntry>;

export const ConsoleLedgerResponse = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("ledger"),
    currency: z.string(),
    balance: z.number().int(),
    entries: z.array(ConsoleLedgerEntry),
    /** Pass as `before` for the next (older) page; null on the last. */
    nextBefore: z.string().nullable(),
  }),
  Failure,
]);
export type ConsoleLedgerResponse = z.infer<typeof ConsoleLedgerResponse>;

export const ConsolePriceListRequest = z.object({
  accountId: z.string().min(1).max(64),
  /** Matches a prefix ("+372"), a country code ("EE") or its start; empty for all. */
  search: z.string().max(20).default(""),
});
export type ConsolePriceListRequest = z.input<typeof ConsolePriceListRequest>;

export const ConsolePriceListResponse = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("prices"),
    prices: z.array(
      z.object({
        prefix: z.string(),
        country: z.string(),
        pricePerPart: z.number().int(),
        currency: z.string(),
      }),
    ),
  }),
  Failure,
]);
export type ConsolePriceListResponse = z.infer<typeof ConsolePriceListResponse>;

export const ConsoleSetDefaultCallbackUrlRequest = z.object({
  accountId: z.string().min(1).max(64),
  /** null (or "") clears it; otherwise judged by the callback guard as at acceptance. */
  defaultCallbackUrl: z.string().max(4096).nullable(),
  /** Who asked, for the audit log. */
  by: AuditBy.optional(),
});
export type ConsoleSetDefaultCallbackUrlRequest = z.infer<
  typeof ConsoleSetDefaultCallbackUrlRequest
>;

export const ConsoleSetDefaultCallbackUrlResponse = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("saved"), defaultCallbackUrl: z.string().nullable() }),
  /** The URL was refused; `reason` is fit to show the customer. */
  z.object({ outcome: z.literal("refused"), reason: z.string() }),
  Failure,
]);
export type ConsoleSetDefaultCallbackUrlResponse = z.infer<
  typeof ConsoleSetDefaultCallbackUrlResponse
>;
