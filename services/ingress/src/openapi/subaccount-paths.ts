import { type DocumentParts, IDEMPOTENCY_KEY } from "./keys.ts";

/** `/v1/subaccounts` in the OpenAPI document (issue 22, docs/api.md section 8). */
type Json = Record<string, unknown>;

const SUBACCOUNT = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string", description: "`<parent's name>.<name>`" },
    hash: { type: "string" },
    status: { type: "string", enum: ["active", "disabled"] },
    currency: { type: "string" },
    balance: { type: "integer", description: "money units (1/10,000 of the currency)" },
    spentLast30Days: { type: "integer", description: "charged less refunded, money units" },
    messagesLast30Days: { type: "integer" },
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "name", "hash", "status", "currency", "balance", "createdAt"],
};

export function subaccountPaths(parts: DocumentParts): Json {
  const { json, errorResponse, errors } = parts;
  return {
    "/v1/subaccounts": {
      get: {
        operationId: "listSubaccounts",
        tags: ["accounts"],
        summary: "The account's sub-accounts, with their balance and usage",
        description: "Needs the `read` scope. Usage covers the last 30 days.",
        responses: {
          "200": {
            description: "the sub-accounts, oldest first",
            content: json({
              type: "object",
              properties: { subaccounts: { type: "array", items: SUBACCOUNT } },
              required: ["subaccounts"],
            }),
          },
          ...errors,
        },
      },
      post: {
        operationId: "createSubaccount",
        tags: ["accounts"],
        summary: "Create a sub-account: its own credentials, balance, numbers and keys",
        description:
          "Needs the `manage` scope. The sub-account is named `<parent's name>.<name>`, shares the parent's currency and test or live standing, starts with no credit (fund it with a transfer) and has no sub-accounts of its own. Its token and webhook secret are shown only in this answer.",
        requestBody: {
          required: true,
          content: json(
            {
              type: "object",
              properties: { name: { type: "string", description: "a-z, 0-9, '.', '_', '-'" } },
              required: ["name"],
            },
            { name: "shop-eu" },
          ),
        },
        responses: {
          "201": {
            description: "the sub-account's credentials (shown once)",
            content: json({
              type: "object",
              properties: {
                id: { type: "string" },
                name: { type: "string" },
                hash: { type: "string" },
                token: { type: "string" },
                webhookSecret: { type: "string" },
              },
              required: ["id", "name", "hash", "token", "webhookSecret"],
            }),
          },
          "403": errorResponse("forbidden: a sub-account cannot have sub-accounts, or no `manage`"),
          ...errors,
        },
      },
    },
    "/v1/subaccounts/{subaccountId}/transfers": {
      post: {
        operationId: "transferCredits",
        tags: ["accounts"],
        summary: "Move credit to a sub-account, or back from it",
        description:
          "Needs the `manage` scope. A positive amount moves credit from this account to the sub-account, a negative one back: both balances change in one transaction, each account's ledger and audit log record it. With `Idempotency-Key` the credit moves at most once under the key: a retry with the same key, sub-account and body gets the first answer (`Idempotent-Replayed: true`), or, when that answer was lost, the balances as they are now without moving anything again. A 503 means the transfer may have been made: retry with the same key, or read the balances first.",
        parameters: [
          { name: "subaccountId", in: "path", required: true, schema: { type: "string" } },
          IDEMPOTENCY_KEY,
        ],
        requestBody: {
          required: true,
          content: json(
            {
              type: "object",
              properties: {
                amount: {
                  type: "string",
                  description: 'a decimal of the currency, e.g. "5.00" or "-2.5"',
                },
                note: { type: "string", maxLength: 200 },
              },
              required: ["amount"],
            },
            { amount: "5.00", note: "December" },
          ),
        },
        responses: {
          "200": {
            description: "both balances after the transfer, money units",
            content: json({
              type: "object",
              properties: {
                parentBalance: { type: "integer" },
                subaccountBalance: { type: "integer" },
              },
              required: ["parentBalance", "subaccountBalance"],
            }),
          },
          "404": errorResponse("not_found: no such sub-account of this account"),
          "422": errorResponse(
            "low_balance: the side that pays has too little credit; idempotency_key_reused: the key was used with another sub-account or body",
          ),
          ...errors,
          "503": errorResponse(
            "server_error: the accounts service did not answer; the transfer may have been made. Retry with the same Idempotency-Key, or check the balances (GET /v1/subaccounts) first",
          ),
        },
      },
    },
  };
}
