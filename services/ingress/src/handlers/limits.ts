import type { RequestHandler } from "express";
import type { ApiError } from "../domain/api-error.ts";
import type { RateLimiter, TakeDecision } from "../domain/token-bucket.ts";
import { sendError } from "./reply.ts";

export function rateLimited(decision: TakeDecision, message: string): ApiError | null {
  if (decision.allowed) return null;
  return { status: "rate_limit", message, retryAfterSec: decision.retryAfterSec };
}

/**
 * The per-client-IP limit, before any other work. The IP is the socket's peer, or the
 * nearest proxy's X-Forwarded-For entry when `trust proxy` is set.
 */
export function perIpLimit(limiter: RateLimiter, now: () => number): RequestHandler {
  return (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const refusal = rateLimited(
      limiter.take(ip, now()),
      "too many requests from this address; slow down and retry after the Retry-After seconds",
    );
    if (refusal) sendError(res, refusal);
    else next();
  };
}
