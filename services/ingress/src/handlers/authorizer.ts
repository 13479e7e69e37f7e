import type { NatsConnection } from "@nats-io/transport-node";
import { type AuthorizeRequest, AuthorizeResponse } from "@smsgw/contracts";
import { currentTraceContext, traceHeaders } from "@smsgw/service-kit";

export interface Authorizer {
  /** Pricing's answer; throws when there is none (no responder, timeout, unreadable reply). */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResponse>;
}

export class AuthorizeFailedError extends Error {
  override name = "AuthorizeFailedError";
}

/** The authorize RPC to pricing over NATS request/reply. */
export function createAuthorizer(
  nc: NatsConnection,
  subject: string,
  timeoutMs: number,
): Authorizer {
  return {
    async authorize(request) {
      let reply: unknown;
      // The request's span is the parent of pricing's `pricing authorize` span: in the
      // headers, and in the body's `trace` (the contract's field, which pricing reads first).
      const headers = traceHeaders();
      const trace = request.trace ?? currentTraceContext();
      const body = trace ? { ...request, trace } : request;
      try {
        const msg = await nc.request(
          subject,
          JSON.stringify(body),
          headers ? { timeout: timeoutMs, headers } : { timeout: timeoutMs },
        );
        reply = msg.json();
      } catch (error) {
        throw new AuthorizeFailedError("pricing did not answer the authorize request", {
          cause: error,
        });
      }
      const parsed = AuthorizeResponse.safeParse(reply);
      if (!parsed.success) {
        throw new AuthorizeFailedError("pricing's authorize reply does not match its schema");
      }
      return parsed.data;
    },
  };
}
