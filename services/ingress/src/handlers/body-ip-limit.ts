import type { IncomingMessage } from "node:http";
import { ipLimitsOf } from "@smsgw/message-acceptance";
import type { RequestHandler } from "express";
import { checkAccess } from "../domain/access.ts";
import { readCredentials } from "../domain/credentials.ts";
import { type Authenticator, authenticateOnce, rememberPrincipal } from "./auth.ts";
import { type IpLimitDeps, ipLimitRefusal } from "./limits.ts";
import type { RaisedClients } from "./raised-clients.ts";
import { sendError } from "./reply.ts";
import { clientIpOf } from "./v1-auth.ts";

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
 * whose credentials may send from here and name an account with a raised IP limit makes its
 * address known to the front door, which from then on lets that address's sends past the
 * default limit to here; each is counted here in its account's bucket for the address, or
 * refused as the door would have refused it (no such credentials in the body). A body the
 * parser refuses (malformed, too large, another type) is answered that error first. The
 * verdict on the credentials is kept for the handler (`authenticateOnce`): checked once.
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
    // Only credentials that may send from here earn their account's limit: a key without
    // the `send` scope, or outside its allowlist, is refused by the handler anyway.
    const sender =
      principal && !checkAccess(principal, "send", clientIpOf(req)) ? principal.account : null;
    const raised = sender && ipLimitsOf(sender, deps.ipLimit.defaultLimits) ? sender : null;
    if (raised) deps.raisedClients.remember(door.clientKey, deps.ipLimit.now());
    // Past the door on the default limit (not deferred), an account without a raised limit
    // was counted there; one with it is counted in its own bucket as well, so that its
    // address's default share does not add to its limit.
    if (!door.deferred && !raised) return next();
    const limited = ipLimitRefusal(deps.ipLimit, door.clientKey, raised);
    if (limited) return sendError(res, limited);
    next();
  };
}
