import { MAX_BATCH } from "../domain/api-schemas.ts";
import type { DocumentParts } from "./keys.ts";

/**
 * `POST /v1/messages/{messageId}/cancel` and `POST /v1/messages/cancel` (many) in the OpenAPI
 * document (ADR 0030).
 */
type Json = Record<string, unknown>;

export function cancelPaths(parts: DocumentParts): Json {
  const { ref, json, errorResponse, errors } = parts;
  return {
    "/v1/messages/cancel": {
      post: {
        operationId: "cancelMessages",
        tags: ["messages"],
        summary: `Cancel up to ${MAX_BATCH} scheduled messages`,
        description: `Needs the \`send\` scope. Each id is canceled as \`POST /v1/messages/{messageId}/cancel\` cancels one, with one result per id in request order (an id given twice is answered at each of its positions): \`canceled: true\`, or \`canceled: false\` with the single cancel's error \`status\` and \`message\` (\`message_not_cancelable\`; \`not_found\` for an unknown id, another account's, or one that is no message id; \`server_error\` when routing did not answer, or the message was accepted a moment ago and is not held for its sendAt yet: ask again, it is harmless). The request as a whole is refused only for its shape (400), the credentials, or the account's rate limit: it takes one token per id, as the batch send takes one per message. The answer comes within the request's ceiling; an id not answered by then is a \`server_error\` to ask again.`,
        requestBody: { required: true, content: json(ref("CancelMessages")) },
        responses: {
          "200": {
            description: "per-id results",
            content: json(ref("CancelResults"), {
              canceled: 1,
              refused: 1,
              results: [
                { index: 0, messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y", canceled: true },
                {
                  index: 1,
                  messageId: "msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Z",
                  canceled: false,
                  status: "message_not_cancelable",
                  message:
                    "the message was not scheduled: only a message waiting for its sendAt can be canceled",
                },
              ],
            }),
          },
          "400": errorResponse(
            `invalid_params: the body is not JSON, or messageIds is missing, empty, over ${MAX_BATCH} ids, or not an array of strings; \`message\` names the problem`,
          ),
          ...errors,
        },
      },
    },
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
