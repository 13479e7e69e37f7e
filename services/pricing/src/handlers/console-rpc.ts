import { randomBytes } from "node:crypto";
import {
  ConsoleAccountRequest,
  type ConsoleAccountResponse,
  ConsoleCreateAccountRequest,
  type ConsoleCreateAccountResponse,
  ConsoleLedgerRequest,
  type ConsoleLedgerResponse,
  ConsolePriceListRequest,
  type ConsolePriceListResponse,
  ConsoleRequestLiveRequest,
  type ConsoleRequestLiveResponse,
  type ConsoleRotateSmppCredentialsResponse,
  type ConsoleRotateTokenResponse,
  type ConsoleRotateWebhookSecretResponse,
  ConsoleSetDefaultCallbackUrlRequest,
  type ConsoleSetDefaultCallbackUrlResponse,
  ConsoleSetLowBalanceThresholdRequest,
  type ConsoleSetLowBalanceThresholdResponse,
  consoleRpcSubjects,
} from "@smsgw/contracts";
import { newSmppSystemId } from "@smsgw/smpp-credentials";
import { sql } from "kysely";
import { AccountError, AccountErrorCode, type AccountOperations } from "../accounts.ts";
import { toUnits } from "../db/schema.ts";
import { effectivePrices } from "../domain/console-prices.ts";
import { consoleSystemId } from "../domain/console-system-id.ts";
import { ledgerEntries } from "../ledger-entries.ts";
import { type QueryOptions, respond } from "./queries.ts";

/**
 * The customer console's requests (contracts `console-rpc.ts`), answered with the same
 * account operations the admin API and CLI use: sign-up creates a TEST account with the
 * credits the console asks for, rotations republish the account to the accounts bucket
 * (the old token stops as soon as ingress sees it), and the ledger is read newest first
 * with the balance after each entry.
 */
export interface ConsoleRpcOptions extends QueryOptions {
  accounts: AccountOperations;
}

export function startConsoleResponders(options: ConsoleRpcOptions): { stop(): Promise<void> } {
  const { accounts, db } = options;
  const subjects = consoleRpcSubjects(options.subjects.prefix);

  async function createAccount(
    request: ConsoleCreateAccountRequest,
  ): Promise<ConsoleCreateAccountResponse> {
    const credentials = await accounts.createAccount({
      // Console accounts are named for the operator's lists only; the customer sees the hash.
      name: `console-${randomBytes(6).toString("hex")}`,
      credits: request.credits,
      test: true,
      actor: request.actor,
      note: "free test credits",
      by: { actor: request.actor, ip: null },
    });
    const { accountId, hash, token, webhookSecret } = credentials;
    return { outcome: "created", credentials: { accountId, hash, token, webhookSecret } };
  }

  async function account(request: ConsoleAccountRequest): Promise<ConsoleAccountResponse> {
    const found = await accounts.get(request.accountId);
    if (!found || found.accountId !== request.accountId) return unknown(request.accountId);
    const { accountId, hash, status, test, currency, balance, defaultCallbackUrl, smppSystemId } =
      found;
    const liveRequest = await accounts.latestLiveRequest(accountId);
    return {
      outcome: "account",
      account: {
        accountId,
        hash,
        status,
        test,
        currency,
        balance,
        defaultCallbackUrl,
        lowBalanceThreshold: found.lowBalanceThreshold,
        liveRequest,
        smppSystemId,
      },
    };
  }

  async function setLowBalanceThreshold(
    request: ConsoleSetLowBalanceThresholdRequest,
  ): Promise<ConsoleSetLowBalanceThresholdResponse> {
    if (!(await owns(request.accountId))) return unknown(request.accountId);
    const summary = await accounts.setLowBalanceThreshold(
      request.accountId,
      request.threshold,
      request.by,
    );
    return { outcome: "saved", threshold: summary.lowBalanceThreshold };
  }

  async function requestLive(
    request: ConsoleRequestLiveRequest,
  ): Promise<ConsoleRequestLiveResponse> {
    if (!(await owns(request.accountId))) return unknown(request.accountId);
    try {
      const created = await accounts.requestLive(request.accountId, request.form, request.by);
      return { outcome: "requested", request: created };
    } catch (error) {
      // Live already, or a request pending: the customer's to read, not a failure.
      if (error instanceof AccountError && error.code === AccountErrorCode.InvalidInput) {
        return { outcome: "refused", reason: error.message };
      }
      throw error;
    }
  }

  async function rotateToken(request: ConsoleAccountRequest): Promise<ConsoleRotateTokenResponse> {
    if (!(await owns(request.accountId))) return unknown(request.accountId);
    const rotated = await accounts.rotateToken(request.accountId, request.by);
    return { outcome: "rotated", hash: rotated.hash, token: rotated.token };
  }

  async function rotateSmppCredentials(
    request: ConsoleAccountRequest,
  ): Promise<ConsoleRotateSmppCredentialsResponse> {
    const found = await accounts.get(request.accountId);
    if (!found || found.accountId !== request.accountId) return unknown(request.accountId);
    const rotated = await accounts.rotateSmppCredentials(
      request.accountId,
      consoleSystemId(found, newSmppSystemId()),
      request.by,
    );
    return { outcome: "rotated", systemId: rotated.systemId, password: rotated.password };
  }

  async function rotateWebhookSecret(
    request: ConsoleAccountRequest,
  ): Promise<ConsoleRotateWebhookSecretResponse> {
    if (!(await owns(request.accountId))) return unknown(request.accountId);
    const { webhookSecret } = await accounts.rotateWebhookSecret(request.accountId, request.by);
    return { outcome: "rotated", webhookSecret };
  }

  async function setDefaultCallbackUrl(
    request: ConsoleSetDefaultCallbackUrlRequest,
  ): Promise<ConsoleSetDefaultCallbackUrlResponse> {
    if (!(await owns(request.accountId))) return unknown(request.accountId);
    try {
      const summary = await accounts.setDefaultCallbackUrl(
        request.accountId,
        request.defaultCallbackUrl,
        request.by,
      );
      return { outcome: "saved", defaultCallbackUrl: summary.defaultCallbackUrl };
    } catch (error) {
      // The guard's refusal is the customer's to read and fix, not a failure.
      if (error instanceof AccountError && error.code === AccountErrorCode.InvalidInput) {
        return { outcome: "refused", reason: error.message };
      }
      throw error;
    }
  }

  async function ledger(request: ConsoleLedgerRequest): Promise<ConsoleLedgerResponse> {
    // The balance, what came after the page and the page itself, in one snapshot: entries
    // committed between two reads (the account sending) would skew every balanceAfter.
    const read = await db
      .transaction()
      .setIsolationLevel("repeatable read")
      .setAccessMode("read only")
      .execute(async (tx) => {
        const head = await tx
          .selectFrom("accounts")
          .select([
            "balance",
            "currency",
            sql<string>`coalesce((select sum(amount) from ledger l
              where l.account_id = accounts.account_id
                and l.id >= ${request.before ?? "9223372036854775807"}::bigint), 0)`.as("newer"),
          ])
          .where("account_id", "=", request.accountId)
          .executeTakeFirst();
        if (!head) return undefined;
        const entries = await ledgerEntries(
          tx,
          request.accountId,
          request.limit + 1,
          request.before,
        );
        return { head, entries };
      });
    if (!read) return unknown(request.accountId);
    const { head, entries } = read;
    const page = entries.slice(0, request.limit);
    let after = toUnits(head.balance) - toUnits(head.newer);
    const withBalance = page.map((entry) => {
      const balanceAfter = after;
      after -= entry.amount;
      return {
        id: entry.id,
        kind: entry.kind,
        amount: entry.amount,
        balanceAfter,
        messageId: entry.messageId,
        note: entry.note,
        reference: entry.reference,
        createdAt: entry.createdAt.toISOString(),
      };
    });
    return {
      outcome: "ledger",
      currency: head.currency,
      balance: toUnits(head.balance),
      entries: withBalance,
      nextBefore: entries.length > request.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async function priceList(
    request: ReturnType<typeof ConsolePriceListRequest.parse>,
  ): Promise<ConsolePriceListResponse> {
    const account = await db
      .selectFrom("accounts")
      .select("currency")
      .where("account_id", "=", request.accountId)
      .executeTakeFirst();
    if (!account) return unknown(request.accountId);
    const book = options.prices();
    // The list in the account's currency: what its sends are charged.
    const prices = effectivePrices(
      book.listIn(account.currency).all(),
      book.overridesOf(request.accountId),
      request.search,
    );
    return { outcome: "prices", prices };
  }

  async function owns(accountId: string): Promise<boolean> {
    const row = await db
      .selectFrom("accounts")
      .select("account_id")
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return row !== undefined;
  }

  const guarded = <Req, Res extends { outcome: string }>(
    answer: (request: Req) => Promise<Res | { outcome: "error"; reason: string }>,
  ) => {
    return async (request: Req) => {
      try {
        return await answer(request);
      } catch (error) {
        // Refusals of the account operations are answers, not failures.
        if (error instanceof AccountError)
          return { outcome: "error" as const, reason: error.message };
        throw error;
      }
    };
  };

  const subscriptions = [
    respond(options, subjects.createAccount, ConsoleCreateAccountRequest, guarded(createAccount)),
    respond(options, subjects.account, ConsoleAccountRequest, guarded(account)),
    respond(options, subjects.rotateToken, ConsoleAccountRequest, guarded(rotateToken)),
    respond(
      options,
      subjects.rotateWebhookSecret,
      ConsoleAccountRequest,
      guarded(rotateWebhookSecret),
    ),
    respond(
      options,
      subjects.rotateSmppCredentials,
      ConsoleAccountRequest,
      guarded(rotateSmppCredentials),
    ),
    respond(options, subjects.ledger, ConsoleLedgerRequest, guarded(ledger)),
    respond(options, subjects.requestLive, ConsoleRequestLiveRequest, guarded(requestLive)),
    respond(
      options,
      subjects.setLowBalanceThreshold,
      ConsoleSetLowBalanceThresholdRequest,
      guarded(setLowBalanceThreshold),
    ),
    respond(options, subjects.priceList, ConsolePriceListRequest, guarded(priceList)),
    respond(
      options,
      subjects.setDefaultCallbackUrl,
      ConsoleSetDefaultCallbackUrlRequest,
      guarded(setDefaultCallbackUrl),
    ),
  ];
  return {
    async stop() {
      await Promise.allSettled(subscriptions.map((s) => s.drain()));
    },
  };
}

function unknown(accountId: string) {
  return { outcome: "error" as const, reason: `unknown account ${accountId}` };
}
