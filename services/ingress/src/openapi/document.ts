import { z } from "zod";
import {
  Balance,
  BatchResult,
  CancelMessages,
  CancelResults,
  CompatibleRequest,
  CompatibleSuccess,
  ErrorBody,
  ErrorCodeSchema,
  EventsPage,
  ExportQuery,
  MAX_BATCH,
  MAX_SEARCH_PAGE,
  MessageResource,
  MessagesPage,
  MessagesQuery,
  PhoneFormat,
  Price,
  SendBatch,
  SendMessage,
} from "../domain/api-schemas.ts";
import { ApiKeyList, CreateApiKey, CreatedApiKey, RevokedApiKey } from "../domain/key-schemas.ts";
import { cancelPaths } from "./cancel-paths.ts";
import { COMPATIBLE_SEND, type CodeSample, V1_FORMAT, V1_SEND, V1_STATUS } from "./examples.ts";
import { IDEMPOTENCY_KEY, KEY_SCOPES_DESCRIPTION, keyPaths } from "./keys.ts";
import { numbersSection } from "./numbers-paths.ts";
import { redactPaths } from "./redact-paths.ts";
import { subaccountPaths } from "./subaccount-paths.ts";

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers parse with
 * (JSON Schema 2020-12 is OpenAPI 3.1's own dialect, so `z.toJSONSchema` output drops in).
 */

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Json;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, example?: unknown) => ({
  "application/json": { schema, ...(example === undefined ? {} : { example }) },
});
const errorResponse = (description: string, example?: Json) => ({
  description,
  content: json(ref("Error"), example),
});

const V1_ERRORS = {
  "400": errorResponse(
    "invalid_params: a field is missing, empty, of the wrong type, or the body is malformed; `message` names the field",
  ),
  "401": errorResponse(
    "auth_failed: wrong or missing credentials, a revoked API key, or a disabled account",
  ),
  "403": errorResponse(
    "forbidden: the API key lacks the scope this request needs, or the request comes from outside its IP allowlist",
  ),
  "422": errorResponse(
    "invalid_phone, invalid_sender, opted_out, destination_blocked, low_balance (the compatible endpoint's 200 refusals), or idempotency_key_reused",
    { status: "invalid_phone", message: "toNumber is not a valid phone number" },
  ),
  "429": errorResponse(
    "rate_limit: over the per-IP or per-account limit, or the gateway is at capacity; see the Retry-After header",
  ),
  "500": errorResponse(
    "server_error: nothing was accepted or charged; retry (with the same Idempotency-Key)",
  ),
};
/** Only where a message is sent: charged and published, but unconfirmed (ADR 0022). */
const OUTCOME_UNKNOWN = {
  "503": errorResponse(
    "outcome_unknown: charged, and the message may have been accepted, but the gateway could not confirm it; `messageId` names it. Never send it again as a new message: retry with the same Idempotency-Key (after Retry-After), or look it up with GET /v1/messages/{messageId}: found, it was accepted; still 404 a minute later, it was not, and the charge is refunded",
    {
      status: "outcome_unknown",
      message:
        "the message was charged and may have been accepted, but the gateway could not confirm it",
      messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y",
    },
  ),
};
const READ_ERRORS = {
  "401": V1_ERRORS["401"],
  "403": V1_ERRORS["403"],
  "429": V1_ERRORS["429"],
  "500": V1_ERRORS["500"],
};

const samples = (list: CodeSample[]) => ({
  "x-codeSamples": list.map((s) => ({ lang: s.lang, label: s.lang, source: s.source })),
});
const queryParam = (name: string, description: string, required = false, example?: string) => ({
  name,
  in: "query",
  required,
  description,
  schema: { type: "string" },
  ...(example ? { example } : {}),
});
const compatibleSchema = schemaOf(CompatibleRequest, "input");
const compatibleRequired = new Set(compatibleSchema.required as string[]);
const compatibleParams = Object.entries(compatibleSchema.properties as Json).map(
  ([name, schema]) => ({ name, in: "query", required: compatibleRequired.has(name), schema }),
);

/** Query parameters from a schema the handler parses (the credentials are the security scheme's). */
function queryParamsOf(schema: z.ZodType): Json[] {
  const json = schemaOf(schema, "input");
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(json.properties as Json)
    .filter(([name]) => name !== "hash" && name !== "token")
    .map(([name, property]) => ({
      name,
      in: "query",
      required: required.has(name),
      schema: property,
    }));
}

const SEARCH_FILTERS =
  "Filters combine (all must match): `status` (current), `to` (E.164, exact; write + as %2B), `from` (sender ID, exact), `since` (created at or after) and `until` (created before), each an ISO 8601 time with an offset or a UTC day (YYYY-MM-DD). An unknown parameter or a bad value is 400 `invalid_params` naming it.";

const compatibleResponses = {
  "200": {
    description:
      "`success` (accepted and queued), or a refusal with `status` invalid_phone, invalid_sender, opted_out, destination_blocked or low_balance",
    content: json(
      { oneOf: [ref("CompatibleSuccess"), ref("Error")] },
      {
        status: "success",
        messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y",
        parts: 1,
        cost: 0.042,
        currency: "EUR",
      },
    ),
  },
  "400": V1_ERRORS["400"],
  "401": V1_ERRORS["401"],
  "403": V1_ERRORS["403"],
  "429": V1_ERRORS["429"],
  "500": V1_ERRORS["500"],
  ...OUTCOME_UNKNOWN,
};

export function buildOpenApiDocument(): Json {
  const numbers = numbersSection({
    schemaOf,
    ref,
    json,
    errorResponse,
    readErrors: READ_ERRORS,
    badRequest: V1_ERRORS["400"],
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "smsgw API",
      version: "1.0.0",
      description:
        "Send SMS and follow them. Two faces: the compatible root endpoint (existing integrations change only the base URL) and the native /v1 API. Errors are always JSON `{status, message}`. Limits: 100 requests/s per client IP, 1,000/s per account with bursts up to 10,000 (operator defaults, per account too); every request is answered within 30 s. " +
        KEY_SCOPES_DESCRIPTION,
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        basic: {
          type: "http",
          scheme: "basic",
          description:
            "username = account hash, password = account token or an API key's secret. Or pass `hash` and `token` as fields.",
        },
      },
      schemas: {
        Error: schemaOf(ErrorBody, "output"),
        CompatibleSend: schemaOf(CompatibleRequest, "input"),
        CompatibleSuccess: schemaOf(CompatibleSuccess, "output"),
        SendMessage: schemaOf(SendMessage, "input"),
        SendBatch: schemaOf(SendBatch, "input"),
        Message: schemaOf(MessageResource, "output"),
        BatchResult: schemaOf(BatchResult, "output"),
        CancelMessages: schemaOf(CancelMessages, "input"),
        CancelResults: schemaOf(CancelResults, "output"),
        EventsPage: schemaOf(EventsPage, "output"),
        MessagesPage: schemaOf(MessagesPage, "output"),
        ErrorCode: schemaOf(ErrorCodeSchema, "output"),
        Balance: schemaOf(Balance, "output"),
        Price: schemaOf(Price, "output"),
        PhoneFormat: schemaOf(PhoneFormat, "output"),
        CreateApiKey: schemaOf(CreateApiKey, "input"),
        CreatedApiKey: schemaOf(CreatedApiKey, "output"),
        ApiKeyList: schemaOf(ApiKeyList, "output"),
        RevokedApiKey: schemaOf(RevokedApiKey, "output"),
        ...numbers.schemas,
      },
    },
    security: [{ basic: [] }],
    paths: {
      "/": {
        get: {
          operationId: "compatibleSendGet",
          tags: ["compatible"],
          summary: "Send a message (compatible endpoint, query string)",
          description:
            "The seed-compatible endpoint: the fields in the query string (URL-encode `+` as `%2B`). Refusals of the message itself answer HTTP 200 with their `status`. Checks, first match wins: per-IP limit, invalid_params, auth_failed, forbidden (an API key without the send scope or outside its allowlist), per-account limit, invalid_phone, invalid_sender, opted_out, destination_blocked, low_balance.",
          security: [],
          parameters: compatibleParams,
          responses: compatibleResponses,
          ...samples(COMPATIBLE_SEND),
        },
        post: {
          operationId: "compatibleSendPost",
          tags: ["compatible"],
          summary: "Send a message (compatible endpoint, form or JSON body)",
          description:
            "The same fields as `application/x-www-form-urlencoded` or `application/json`, or in the query string; a body field wins over the query.",
          security: [],
          requestBody: {
            required: false,
            content: {
              "application/x-www-form-urlencoded": { schema: ref("CompatibleSend") },
              "application/json": { schema: ref("CompatibleSend") },
            },
          },
          responses: compatibleResponses,
        },
      },
      "/v1/messages": {
        get: {
          operationId: "searchMessages",
          tags: ["messages"],
          summary: "Search the account's messages, newest first",
          description: `The caller's messages only, newest first (by creation time, then id), ${MAX_SEARCH_PAGE} at most a page (default 100). ${SEARCH_FILTERS} Pass \`nextCursor\` as \`cursor\` with the same filters for the next, older page; it is null on the last. Paging is stable: a message accepted while you page is newer than your cursor and never shifts a page, so each message comes once.`,
          parameters: queryParamsOf(MessagesQuery),
          responses: {
            "200": { description: "one page of messages", content: json(ref("MessagesPage")) },
            "400": V1_ERRORS["400"],
            ...READ_ERRORS,
          },
        },
        post: {
          operationId: "sendMessage",
          tags: ["messages"],
          summary: "Send a message",
          description:
            "Answers 202 with the message resource once it is charged and queued. With `Idempotency-Key`, a retry with the same key and body returns the first answer (header `Idempotent-Replayed: true`) and never sends or charges again; the same key with another body is 422 `idempotency_key_reused`. Keys are kept 24 h.",
          parameters: [IDEMPOTENCY_KEY],
          requestBody: { required: true, content: json(ref("SendMessage")) },
          responses: {
            "202": { description: "accepted and queued", content: json(ref("Message")) },
            ...V1_ERRORS,
            ...OUTCOME_UNKNOWN,
          },
          ...samples(V1_SEND),
        },
      },
      "/v1/messages/batch": {
        post: {
          operationId: "sendBatch",
          tags: ["messages"],
          summary: `Send up to ${MAX_BATCH} messages`,
          description:
            "Each item is checked, charged and queued on its own: the answer lists one result per item, in order (`status: queued` with the resource, or the item's error status and message; an item charged but unconfirmed is `outcome_unknown` with its `messageId`, see the single send's 503). The batch takes one token per message from the account's rate limit. With `Idempotency-Key` the whole batch is sent at most once (same rules as a single send; a batch in which some item met a server error is not stored, and its retry runs again under the same message ids). With `Idempotency-Key`, a body nested more than 32 levels deep (an item is any JSON) is 400 `invalid_params`: it cannot be fingerprinted, and no message nests so.",
          parameters: [IDEMPOTENCY_KEY],
          requestBody: { required: true, content: json(ref("SendBatch")) },
          responses: {
            "200": { description: "per-item results", content: json(ref("BatchResult")) },
            "400": V1_ERRORS["400"],
            ...READ_ERRORS,
          },
        },
      },
      "/v1/messages/export.csv": {
        get: {
          operationId: "exportMessages",
          tags: ["messages"],
          summary: "Export the account's messages as CSV",
          description: `Every message that matches, newest first, streamed as \`text/csv\` (RFC 4180: CRLF line ends, a field with a comma, quote or line break quoted, its quotes doubled) with a header row and an attachment file name. ${SEARCH_FILTERS} No cursor or limit: the export holds every page. A message accepted during the export is not in it. Errors before the first byte are JSON as everywhere; a failure after it cuts the body short (the transfer does not end cleanly), so a complete download is a complete export.`,
          parameters: queryParamsOf(ExportQuery),
          responses: {
            "200": {
              description:
                "header `messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode`, then one record a message (cost in currency units, errorCode empty when none)",
              headers: {
                "Content-Disposition": {
                  schema: { type: "string" },
                  example: "attachment; filename=messages-acc_1a2b3c-2026-12-05-101112.csv",
                },
              },
              content: {
                "text/csv": {
                  schema: { type: "string" },
                  example:
                    "messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode\r\nmsg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y,delivered,+37256789045,MyApp,1,0.042,EUR,2026-12-05T10:00:00.000Z,2026-12-05T10:00:03.000Z,\r\n",
                },
              },
            },
            "400": V1_ERRORS["400"],
            ...READ_ERRORS,
          },
        },
      },
      "/v1/messages/{messageId}": {
        get: {
          operationId: "getMessage",
          tags: ["messages"],
          summary: "A message's status and details",
          description:
            "Only the owning account sees it; any other gets 404. Right after sending it can briefly answer 404.",
          parameters: [
            { name: "messageId", in: "path", required: true, schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "the message resource", content: json(ref("Message")) },
            "404": errorResponse("not_found"),
            ...READ_ERRORS,
          },
          ...samples(V1_STATUS),
        },
      },
      "/v1/messages/{messageId}/events": {
        get: {
          operationId: "listMessageEvents",
          tags: ["messages"],
          summary: "A message's audit trail, oldest first",
          parameters: [
            { name: "messageId", in: "path", required: true, schema: { type: "string" } },
            queryParam("after", "the nextCursor of the previous page"),
            {
              ...queryParam("limit", "page size, 1-1000 (default 100)"),
              schema: { type: "integer", minimum: 1, maximum: 1000 },
            },
          ],
          responses: {
            "200": { description: "one page of events", content: json(ref("EventsPage")) },
            "400": V1_ERRORS["400"],
            "404": errorResponse("not_found"),
            ...READ_ERRORS,
          },
        },
      },
      ...redactPaths({ ref, json, errorResponse, errors: READ_ERRORS }),
      ...cancelPaths({ ref, json, errorResponse, errors: READ_ERRORS }),
      "/v1/balance": {
        get: {
          operationId: "getBalance",
          tags: ["account"],
          summary: "The account's credit",
          responses: {
            "200": {
              description: "balance",
              content: json(ref("Balance"), { balance: 12.5, currency: "EUR" }),
            },
            ...READ_ERRORS,
          },
        },
      },
      "/v1/prices": {
        get: {
          operationId: "getPrice",
          tags: ["account"],
          summary: "The price of one part to a destination",
          parameters: [
            queryParam("to", "destination, E.164 (+ written as %2B)", true, "+37256789045"),
          ],
          responses: {
            "200": { description: "the price per part", content: json(ref("Price")) },
            "400": V1_ERRORS["400"],
            "422": errorResponse(
              "invalid_phone, or destination_blocked with the reason in message",
            ),
            ...READ_ERRORS,
          },
        },
      },
      "/v1/phone/format": {
        get: {
          operationId: "formatPhone",
          tags: ["tools"],
          summary: "Normalise a phone number to E.164",
          description:
            "Local or messy input (spaces, dashes, brackets) with an optional country hint. A number that parses answers 200 with `valid` and, when not valid, `reason`; input that is not a number at all answers 422 invalid_phone saying why.",
          parameters: [
            queryParam("number", "the number as a person wrote it", true, "5678 9045"),
            queryParam("country", "ISO 3166-1 alpha-2 hint for numbers without +", false, "EE"),
          ],
          responses: {
            "200": { description: "the number, formatted", content: json(ref("PhoneFormat")) },
            "400": V1_ERRORS["400"],
            "422": errorResponse(
              "invalid_phone: the input cannot be read as a phone number; message says why",
            ),
            ...READ_ERRORS,
          },
          ...samples(V1_FORMAT),
        },
      },
      ...numbers.paths,
      ...keyPaths({ ref, json, errorResponse, errors: READ_ERRORS }),
      ...subaccountPaths({ ref, json, errorResponse, errors: READ_ERRORS }),
    },
  };
}
