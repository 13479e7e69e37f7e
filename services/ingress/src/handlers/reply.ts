import { type ApiError, HTTP_STATUS_OF, v1HttpStatus } from "@smsgw/message-acceptance";
import type { Response } from "express";
import { noteApiStatus } from "./observe.ts";

/** Writes a JSON answer unless one was already sent (e.g. by the request deadline). */
export function sendJson(res: Response, httpStatus: number, body: unknown): void {
  if (res.headersSent) return;
  noteApiStatus(res, body);
  res.status(httpStatus).set("cache-control", "no-store").json(body);
}

/**
 * `{ status, message }` with the HTTP code of api.md section 1 at the compatible endpoint
 * (`/`), and of section 2 everywhere else (its 200 refusals answer 422); Retry-After on
 * rate_limit and outcome_unknown, which also names its `messageId` (ADR 0022).
 */
export function sendError(res: Response, error: ApiError): void {
  if (res.headersSent) return;
  if (error.retryAfterSec !== undefined) res.set("retry-after", String(error.retryAfterSec));
  sendJson(res, errorHttpStatus(res.req.path, error), errorBody(error));
}

/** An error's HTTP code: api.md section 1's at the compatible endpoint (`/`), section 2's elsewhere. */
export function errorHttpStatus(path: string, error: ApiError): number {
  return path === "/" ? HTTP_STATUS_OF[error.status] : v1HttpStatus(error.status);
}

/** The JSON of an error answer: `{ status, message }`, and the `messageId` to look up when known. */
export function errorBody(error: ApiError): Record<string, string> {
  return {
    status: error.status,
    message: error.message,
    ...(error.messageId ? { messageId: error.messageId } : {}),
  };
}
