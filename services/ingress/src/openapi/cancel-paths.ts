import type { DocumentParts } from "./keys.ts";

/** `POST /v1/messages/{messageId}/cancel` in the OpenAPI document (ADR 0030). */
type Json = Record<string, unknown>;

export function cancelPaths(parts: DocumentParts): Json {
  const { json, errorResponse, errors } = parts;
  return {
    "/v1/messages/{messageId}/cancel": {
      post: {
        operationId: "cancelMessage",
        tags: ["messages"],
        summary: "Cancel a scheduled message before its sendAt",
        description:
          "Needs the `send` scope. A message accepted with a `sendAt` still to come is canceled before it goes to any carrier: it ends `failed` with errorCode `canceled` within a moment (its webhook follows, as for any final status) and its charge is refunded. The answer says only that (`send` may not read messages). Asking again answers the same. A message never scheduled, or whose sendAt came (on its way), is refused 409 `message_not_cancelable`. A 500 may come after the cancel took effect (its answer lost): retry, the same request is harmless, or read the message. Right after the send's answer the message may not be held for its sendAt yet: a 500 then too.",
        parameters: [{ name: "messageId", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "202": {
            description: "canceled: the message fails `canceled` and is refunded, never sent",
            content: json(
              {
                type: "object",
                properties: {
                  messageId: { type: "string" },
                  canceled: { type: "boolean", const: true },
                },
                required: ["messageId", "canceled"],
              },
              { messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y", canceled: true },
            ),
          },
          "404": errorResponse("not_found: no such message of this account"),
          "409": errorResponse("message_not_cancelable: not waiting for its sendAt", {
            status: "message_not_cancelable",
            message:
              "the message is on its way: only a message waiting for its sendAt can be canceled",
          }),
          ...errors,
        },
      },
    },
  };
}
