import { pipeline } from "node:stream/promises";
import type { AccountRecord } from "@smsgw/contracts";
import { apiError } from "@smsgw/message-acceptance";
import {
  type AccountLogReader,
  InvalidCursorError,
  messageCsvExport,
  messageCsvFileName,
} from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import type { Request, RequestHandler, Response } from "express";
import type { z } from "zod";
import { describeIssue, ExportQuery, MessagesQuery } from "../domain/api-schemas.ts";
import { toMessageResource } from "../domain/message-resource.ts";
import { logFilterOf } from "../domain/message-search.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";

export interface SearchDeps extends V1AuthDeps {
  messageLog: Pick<AccountLogReader, "listMessages">;
  log: Logger;
}

/** `GET /v1/messages`: the caller's messages, newest first, filtered, on a keyset cursor. */
export function searchHandler(deps: SearchDeps): RequestHandler {
  return async (req, res) => {
    const asked = readQuery(deps, req, res, MessagesQuery);
    if (!asked) return;
    const { account, query } = asked;
    try {
      const page = await deps.messageLog.listMessages(account.accountId, logFilterOf(query), {
        ...(query.cursor ? { after: query.cursor } : {}),
        limit: query.limit,
      });
      sendJson(res, 200, {
        messages: page.messages.map(toMessageResource),
        nextCursor: page.nextCursor,
      });
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      sendError(res, apiError("invalid_params", "cursor is not a cursor this API handed out"));
    }
  };
}

/** `GET /v1/messages/export.csv`: every matching message, newest first, streamed as CSV. */
export function exportHandler(deps: SearchDeps): RequestHandler {
  return async (req, res) => {
    const asked = readQuery(deps, req, res, ExportQuery);
    if (!asked) return;
    const { account, query } = asked;
    const csv = await messageCsvExport(deps.messageLog, account.accountId, logFilterOf(query));
    // The request deadline answered while the first page was read.
    if (res.headersSent) return void csv.destroy();
    res
      .status(200)
      .type("text/csv; charset=utf-8")
      .set("cache-control", "no-store")
      .attachment(messageCsvFileName(account.accountId, new Date(deps.now())));
    try {
      await pipeline(csv, res);
    } catch (error) {
      // pipeline has closed the response: the client sees a body cut short, never an end.
      if (!isClientGone(error)) deps.log.error({ err: error }, "message export failed");
    }
  };
}

/** The caller's account and its parsed query, or null when an error was answered. */
function readQuery<T>(
  deps: SearchDeps,
  req: Request,
  res: Response,
  schema: z.ZodType<T>,
): { account: AccountRecord; query: T } | null {
  const account = authenticateV1(deps, req, res, "read");
  if (!account) return null;
  const query = schema.safeParse(req.query);
  if (query.success) return { account, query: query.data };
  sendError(res, apiError("invalid_params", describeIssue(query.error)));
  return null;
}

function isClientGone(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ERR_STREAM_PREMATURE_CLOSE";
}
