import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Request, Response } from "express";
import { acceptDuration, httpRequestDuration, ingressRequests } from "../metrics.ts";

const SEND_ROUTES = new Set(["/", "/v1/messages", "/v1/messages/batch"]);
const ACCEPTED = new Set(["success", "queued"]);

/**
 * The route template that answered (`/v1/messages/:id`), or undefined (no route: a 404, or
 * refused before routing). Never the raw URL.
 */
export function routeOf(req: IncomingMessage): string | undefined {
  const route: unknown = (req as Request).route?.path;
  return typeof route === "string" ? route : undefined;
}

/** Answers the front door gave (no express, no locals): their route, if a send's, and status. */
const doorAnswers = new WeakMap<IncomingMessage, { route: string | undefined; status: string }>();

/** Notes a front-door answer for the request's metrics (`record`). */
export function noteDoorAnswer(
  req: IncomingMessage,
  route: string | undefined,
  status: string,
): void {
  doorAnswers.set(req, { route, status });
}

/** The api.md status of the answer, as `sendJson` noted it. */
export function noteApiStatus(res: Response, body: unknown): void {
  const status = (body as { status?: unknown } | null)?.status;
  if (typeof status === "string") res.locals.apiStatus = status;
}

/** Counts and times every request once it is answered (or the client went away). */
export function observeRequests(listener: RequestListener): RequestListener {
  return (req, res) => {
    const started = performance.now();
    res.once("close", () => record(req, res, (performance.now() - started) / 1000));
    listener(req, res);
  };
}

function record(req: IncomingMessage, res: ServerResponse, seconds: number): void {
  const door = doorAnswers.get(req);
  const route = routeOf(req) ?? door?.route ?? "unmatched";
  const code = String(res.statusCode);
  const status: unknown = (res as Partial<Response>).locals?.apiStatus ?? door?.status;
  httpRequestDuration.observe(
    {
      http_request_method: req.method ?? "GET",
      http_route: route,
      http_response_status_code: code,
    },
    seconds,
  );
  ingressRequests.inc({
    http_route: route,
    http_response_status_code: code,
    status: typeof status === "string" ? status : "none",
  });
  // GET /v1/messages is the search, not a send; GET / is the compatible send.
  const sends = req.method === "POST" || (req.method === "GET" && route === "/");
  if (SEND_ROUTES.has(route) && sends) {
    // A batch answers 200 without a top-level status: it was taken.
    const accepted = res.statusCode < 300 && (typeof status !== "string" || ACCEPTED.has(status));
    acceptDuration.observe({ outcome: accepted ? "accepted" : "refused" }, seconds);
  }
}
