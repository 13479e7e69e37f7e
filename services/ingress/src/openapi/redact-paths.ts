import type { DocumentParts } from "./keys.ts";

/**
 * `POST /v1/messages/{messageId}/redact` in the OpenAPI document (api.md section 7, ADR 0021).
 */
type Json = Record<string, unknown>;

export function redactPaths(parts: DocumentParts): Json {
  const { ref, json, errorResponse, errors } = parts;
  return {
    "/v1/messages/{messageId}/redact": {
      post: {
        operationId: "redactMessage",
        tags: ["messages"],
        summary: "Erase a message's text and recipient number now",
        description:
          "Needs the `manage` scope (the account's token has every scope). The text is erased and the number masked (its last four digits) everywhere the gateway keeps them; status, parts, cost and times stay, for billing. Asking again answers the same. A message that is not final yet is refused (409 `message_in_flight`): the carrier may still need them; erase it once it has a final status. Without a request, the same happens by itself after the account's retention (30 days after the final status unless the operator set another).",
        parameters: [{ name: "messageId", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "the message resource, erased",
            content: json(
              {
                allOf: [
                  ref("Message"),
                  {
                    type: "object",
                    properties: { text: { type: "null" } },
                    required: ["text"],
                  },
                ],
              },
              {
                messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y",
                status: "delivered",
                to: "+3725678****",
                from: "MyApp",
                parts: 1,
                cost: 0.042,
                currency: "EUR",
                reference: null,
                errorCode: null,
                createdAt: "2026-12-05T10:00:00.000Z",
                updatedAt: "2026-12-05T10:00:03.000Z",
                statusTimes: {
                  queued: "2026-12-05T10:00:00.000Z",
                  sent: "2026-12-05T10:00:01.000Z",
                  delivered: "2026-12-05T10:00:03.000Z",
                },
                sendAt: null,
                validUntil: null,
                text: null,
              },
            ),
          },
          "404": errorResponse("not_found: no such message of this account"),
          "409": errorResponse("message_in_flight: the message has no final status yet", {
            status: "message_in_flight",
            message: "the message is sent: it can be erased once it has a final status",
          }),
          ...errors,
        },
      },
    },
  };
}
