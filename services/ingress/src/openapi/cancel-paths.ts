import type { DocumentParts } from "./keys.ts";

/** `POST /v1/messages/{messageId}/cancel` in the OpenAPI document (ADR 0030). */
type Json = Record<string, unknown>;

export function cancelPaths(parts: DocumentParts): Json {
  const { ref, json, errorResponse, errors } = parts;
  return {
    "/v1/messages/{messageId}/cancel": {
      post: {
        operationId: "cancelMessage",
        tags: ["messages"],
        summary: "Cancel a scheduled message before its sendAt",
        description:
          "Needs the `send` scope. A message accepted with a `sendAt` still to come is canceled before it goes to any carrier: it ends `failed` with errorCode `canceled` within a moment (its webhook follows, as for any final status) and its charge is refunded. The answer is the message resource as it was when canceled. Asking again answers the same. A message never scheduled, or whose sendAt came (on its way), is refused 409 `message_not_cancelable`. Right after the send's answer the message may not be held for its sendAt yet: a 500 then, retry.",
        parameters: [{ name: "messageId", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "202": {
            description: "canceled: the message fails `canceled` and is refunded, never sent",
            content: json(ref("Message"), {
              messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y",
              status: "queued",
              to: "+37256789045",
              from: "MyApp",
              parts: 1,
              cost: 0.042,
              currency: "EUR",
              reference: null,
              errorCode: null,
              createdAt: "2026-12-05T10:00:00.000Z",
              updatedAt: "2026-12-05T10:00:00.000Z",
              statusTimes: { queued: "2026-12-05T10:00:00.000Z" },
              sendAt: "2026-12-06T09:00:00.000Z",
              validUntil: null,
            }),
          },
          "404": errorResponse("not_found: no such message of this account"),
          "409": errorResponse("message_not_cancelable: not waiting for its sendAt", {
            status: "message_not_cancelable",
            message:
              "the message is on its way: its sendAt came: only a message waiting for its sendAt can be canceled",
          }),
          ...errors,
        },
      },
    },
  };
}
