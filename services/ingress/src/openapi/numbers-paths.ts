import type { z } from "zod";
import {
  AddOptOut,
  InboundMessage,
  InboundPage,
  NumberResource,
  NumbersList,
  OptOut,
  OptOutsList,
  RequestSenderId,
  SenderIdRegistration,
  SenderIdsList,
  TakeNumber,
  UpdateNumber,
} from "../domain/api-schemas.ts";

type Json = Record<string, unknown>;

/** `?cursor=` and `?limit=` of a cursor-paged list. */
const pageParams = (defaultLimit: number) => [
  {
    name: "cursor",
    in: "query" as const,
    required: false,
    description: "the nextCursor of the previous page",
    schema: { type: "string" as const },
  },
  {
    name: "limit",
    in: "query" as const,
    required: false,
    description: `page size, 1-1000 (default ${defaultLimit})`,
    schema: { type: "integer" as const, minimum: 1, maximum: 1000 },
  },
];

/** Numbers, inbound messages and opt-outs (api.md section 5): their component schemas and paths. */
export function numbersSection(helpers: {
  schemaOf(schema: z.ZodType, io: "input" | "output"): Json;
  ref(name: string): Json;
  json(schema: Json, example?: unknown): Json;
  errorResponse(description: string, example?: Json): Json;
  readErrors: Json;
  badRequest: Json;
}): { schemas: Json; paths: Json } {
  const { schemaOf, ref, json, errorResponse, readErrors, badRequest } = helpers;
  const numberParam = {
    name: "number",
    in: "path",
    required: true,
    description: "the number in E.164 (+ written as %2B)",
    schema: { type: "string" },
  };
  const notFound = errorResponse(
    "not_found: no such number on this account (another account's too)",
  );
  return {
    schemas: {
      TakeNumber: schemaOf(TakeNumber, "input"),
      UpdateNumber: schemaOf(UpdateNumber, "input"),
      Number: schemaOf(NumberResource, "output"),
      NumbersList: schemaOf(NumbersList, "output"),
      InboundMessage: schemaOf(InboundMessage, "output"),
      InboundPage: schemaOf(InboundPage, "output"),
      AddOptOut: schemaOf(AddOptOut, "input"),
      OptOut: schemaOf(OptOut, "output"),
      OptOutsList: schemaOf(OptOutsList, "output"),
      RequestSenderId: schemaOf(RequestSenderId, "input"),
      SenderId: schemaOf(SenderIdRegistration, "output"),
      SenderIdsList: schemaOf(SenderIdsList, "output"),
    },
    paths: {
      "/v1/numbers": {
        get: {
          operationId: "listNumbers",
          tags: ["numbers"],
          summary: "The account's numbers",
          responses: {
            "200": { description: "the numbers", content: json(ref("NumbersList")) },
            ...readErrors,
          },
        },
        post: {
          operationId: "takeNumber",
          tags: ["numbers"],
          summary: "Take a free number from the operator's inventory",
          description:
            '`{ country }` takes any free number of that country, `{ number }` that one. A test account gets simulator numbers only. Inbound messages to the number become the account\'s (GET /v1/inbound) and are POSTed to its inboundUrl, or the account\'s default callback URL, signed like delivery reports with `"type": "inbound"`.',
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description:
                "1-255 visible ASCII characters: a retry with the same key and body gets the first answer (the same number, header Idempotent-Replayed), not a second number; another body: 422 idempotency_key_reused",
              schema: { type: "string", maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: json(ref("TakeNumber")) },
          responses: {
            "201": { description: "the number, now the account's", content: json(ref("Number")) },
            "400": badRequest,
            "422": errorResponse("no_number_available: no free number fits", {
              status: "no_number_available",
              message: "no free number in EE",
            }),
            ...readErrors,
          },
        },
      },
      "/v1/numbers/{number}": {
        patch: {
          operationId: "updateNumber",
          tags: ["numbers"],
          summary: "Set where the number's inbound messages are POSTed",
          parameters: [numberParam],
          requestBody: { required: true, content: json(ref("UpdateNumber")) },
          responses: {
            "200": { description: "the number", content: json(ref("Number")) },
            "400": errorResponse(
              "invalid_params: inboundUrl is not an absolute http(s) URL, or the callback guard refuses it",
            ),
            "404": notFound,
            ...readErrors,
          },
        },
        delete: {
          operationId: "releaseNumber",
          tags: ["numbers"],
          summary: "Give the number back to the inventory",
          description:
            "The number rests in the inventory for the operator's quarantine (30 days by default) before another account may take it; this account may take it back meanwhile. Simulator numbers never rest.",
          parameters: [numberParam],
          responses: { "204": { description: "released" }, "404": notFound, ...readErrors },
        },
      },
      "/v1/inbound": {
        get: {
          operationId: "listInbound",
          tags: ["inbound"],
          summary: "The account's inbound messages, newest first",
          parameters: pageParams(100),
          responses: {
            "200": { description: "one page", content: json(ref("InboundPage")) },
            "400": badRequest,
            ...readErrors,
          },
        },
      },
      "/v1/opt-outs": {
        get: {
          operationId: "listOptOuts",
          tags: ["opt-outs"],
          summary: "The numbers that told the account STOP, oldest first",
          parameters: pageParams(1_000),
          responses: {
            "200": { description: "one page of the list", content: json(ref("OptOutsList")) },
            "400": badRequest,
            ...readErrors,
          },
        },
        post: {
          operationId: "addOptOut",
          tags: ["opt-outs"],
          summary: "Put a number on the account's opt-out list",
          description:
            "A send to a number on the list is refused with `opted_out` (HTTP 200 on `/`, 422 on /v1), checked after invalid_sender and before destination_blocked, never charged. An inbound STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT (case and surrounding spaces ignored) adds its sender; START, UNSTOP or YES removes it.",
          requestBody: { required: true, content: json(ref("AddOptOut")) },
          responses: {
            "201": { description: "on the list", content: json(ref("OptOut")) },
            "400": badRequest,
            ...readErrors,
          },
        },
      },
      "/v1/opt-outs/{number}": {
        delete: {
          operationId: "removeOptOut",
          tags: ["opt-outs"],
          summary: "Take a number off the account's opt-out list",
          parameters: [numberParam],
          responses: {
            "204": { description: "removed" },
            "404": errorResponse("not_found: the number is not on the list"),
            ...readErrors,
          },
        },
      },
      "/v1/senders": {
        get: {
          operationId: "listSenderIds",
          tags: ["senders"],
          summary: "The account's alphanumeric sender IDs and the operator's decisions",
          responses: {
            "200": { description: "the registrations", content: json(ref("SenderIdsList")) },
            ...readErrors,
          },
        },
        post: {
          operationId: "requestSenderId",
          tags: ["senders"],
          summary: "Ask the operator for an alphanumeric sender ID",
          description:
            "Where the operator turns the sender ID registry on for a destination, an alphanumeric sender is refused with `invalid_sender` unless it is approved for the account. Asking again answers the registration as it is (200).",
          requestBody: { required: true, content: json(ref("RequestSenderId")) },
          responses: {
            "201": { description: "asked for, pending", content: json(ref("SenderId")) },
            "200": { description: "asked for before", content: json(ref("SenderId")) },
            "400": badRequest,
            ...readErrors,
          },
        },
      },
      "/v1/senders/{sender}": {
        delete: {
          operationId: "withdrawSenderId",
          tags: ["senders"],
          summary: "Withdraw a sender ID (approved or not)",
          parameters: [{ name: "sender", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "204": { description: "withdrawn" },
            "404": errorResponse("not_found: no such sender ID on this account"),
            ...readErrors,
          },
        },
      },
      "/v1/inbound/{id}": {
        get: {
          operationId: "getInbound",
          tags: ["inbound"],
          summary: "One inbound message",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "the inbound message", content: json(ref("InboundMessage")) },
            "404": errorResponse("not_found: no such inbound message on this account"),
            ...readErrors,
          },
        },
      },
    },
  };
}
