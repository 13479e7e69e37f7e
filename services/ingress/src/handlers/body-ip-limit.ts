import type { IncomingMessage } from "node:http";
import { ipLimitsOf } from "@smsgw/message-acceptance";
import type { RequestHandler } from "express";
import { readCredentials } from "../domain/credentials.ts";
import { type Authenticator, authenticateOnce, rememberPrincipal } from "./auth.ts";
import { type IpLimitDeps, ipLimitRefusal } from "./limits.ts";
import type { RaisedClients } from "./raised-clients.ts";
import { sendError } from "./reply.ts";

/**
 * Requests whose URL and headers named no account at the front door, with their client's key,
 * and whether the door let them past the default IP limit for their body to name the account
 * (`deferred`).
 */
const anonymousAtDoor = new WeakMap<IncomingMessage, { clientKey: string; deferred: boolean }>();

/** The front door's note on a request it saw without credentials in its URL or headers. */
export function noteAnonymousAtDoor(
  req: IncomingMessage,
  clientKey: string,
  deferred: boolean,
): void {
  anonymousAtDoor.set(req, { clientKey, deferred });
}

export interface BodyIpLimitDeps {
  ipLimit: IpLimitDeps;
  authenticator: Authenticator;
  raisedClients: RaisedClients;
}

/**
 * After the body is parsed: the IP limit of the account a body's credentials name (api.md
 * section 1: a backend host's raised IP limit holds however it sends its credentials). A body
 * naming an account with a raised IP limit makes its address known to the front door, which
 * from then on lets that address's requests past the default limit to here; one it let past is
 * limited here by its account's own bucket, or refused as the door would have refused it (no
 * credentials, or an account without a raised limit). The verdict on the credentials is kept
 * for the handler (`authenticateOnce`), so they are checked once.
 */
export function bodyIpLimit(deps: BodyIpLimitDeps): RequestHandler {
  return (req, res, next) => {
    const door = anonymousAtDoor.get(req);
    if (!door) return next();
    const credentials = readCredentials(undefined, req.body);
    const principal = credentials
      ? authenticateOnce(deps.authenticator, req, credentials.hash, credentials.token)
      : null;
    if (credentials && principal) {
      rememberPrincipal(req, credentials.hash, credentials.token, principal);
    }
    const raised = principal && ipLimitsOf(principal.account, deps.ipLimit.defaultLimits);
    if (raised) deps.raisedClients.remember(door.clientKey, deps.ipLimit.now());
    if (!door.deferred) return next();
    const limited = ipLimitRefusal(
      deps.ipLimit,
      door.clientKey,
      raised ? (principal?.account ?? null) : null,
    );
    if (limited) return sendError(res, limited);
    next();
  };
}
