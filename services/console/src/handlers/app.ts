import type { AccountLogReader, MessageReader } from "@smsgw/message-read-model";
import type { Logger, SecretBox } from "@smsgw/service-kit";
import express, { type NextFunction, type Request, type Response } from "express";
import type { SecurityStore } from "../db/account-security.ts";
import type { TeamStore } from "../db/team.ts";
import type { UserStore } from "../db/users.ts";
import { errorPage } from "../domain/pages/auth.ts";
import type { ThrottleRule } from "../domain/throttle.ts";
import { authorize } from "./access.ts";
import { mountActions } from "./account-actions.ts";
import { mountAccountPage } from "./account-page.ts";
import { mountAccountSecurity } from "./account-security.ts";
import { Attempts } from "./attempts.ts";
import type { AuditRelay } from "./audit-relay.ts";
import { mountAuth } from "./auth.ts";
import { mountCancel } from "./cancel.ts";
import type { DispatcherClient } from "./dispatcher-client.ts";
import { type InboundClient, InboundUnavailableError } from "./inbound-client.ts";
import { mountInvite } from "./invite.ts";
import { mountKeys } from "./keys.ts";
import { mountPages } from "./pages.ts";
import { type PricingClient, PricingUnavailableError } from "./pricing-client.ts";
import type { RoutingClient } from "./routing-client.ts";
import { locals, pageContext, securityHeaders, sessions } from "./security.ts";
import { mountSmpp } from "./smpp.ts";
import { mountStatic } from "./static.ts";
import { mountTeam } from "./team.ts";
import { mountTools } from "./tools.ts";
import { mountTwoWay } from "./two-way.ts";

export interface AppOptions {
  users: UserStore;
  team: TeamStore;
  security: SecurityStore;
  /** Carries team changes' audit entries to pricing. */
  audit: AuditRelay;
  /** Seals TOTP secrets (CONSOLE_SECRETS_KEY); undefined: two-factor is unavailable. */
  box: SecretBox | undefined;
  /** REAUTH_MINUTES in ms. */
  reauthWindowMs: number;
  invitationTtlMs: number;
  /** PUBLIC_CONSOLE_URL (invitation links). */
  publicUrl: string | undefined;
  pricing: PricingClient;
  dispatcher: DispatcherClient;
  /** Numbers, inbound messages and opt-outs: the inbound service's API. */
  inbound: InboundClient;
  /** Cancels scheduled messages, which routing holds until their sendAt. */
  routing: RoutingClient;
  /** WEBHOOK_ALLOW_PRIVATE: a number's inbound URL may name a private or loopback host. */
  allowPrivateCallbacks: boolean;
  log: AccountLogReader;
  trail: MessageReader;
  logger: Logger;
  /** The public API as customers see it (snippets). */
  apiUrl: string;
  /** The public API as this service reaches it (the send form's POST). */
  ingressUrl: string;
  /** Where customers bind over SMPP, `host:port` (the SMPP page). */
  smppAddress: string;
  testCredits: string;
  /** A session ends this long after its last use, */
  idleMs: number;
  /** and at the latest this long after log-in. */
  maxMs: number;
  secureCookies: boolean;
  /** express `trust proxy`: proxy hops, or the proxies' addresses (0: none). */
  trustProxy: number | string[];
  login: ThrottleRule;
  signup: ThrottleRule;
  rpcTimeoutMs: number;
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.use(securityHeaders);
  const router = express.Router();
  mountStatic(router);
  app.use(router);

  const session = {
    users: options.users,
    idleMs: options.idleMs,
    maxMs: options.maxMs,
    secure: options.secureCookies,
    reauthWindowMs: options.reauthWindowMs,
  };
  app.use(express.urlencoded({ extended: false, limit: "32kb", parameterLimit: 50 }));
  app.use(sessions(session));
  // Roles before any handler: what the signed-in user's role does not allow never runs.
  app.use(authorize);
  const pages = express.Router();
  pages.get("/", (_req, res) => res.redirect(303, locals(res).user ? "/dashboard" : "/login"));
  const loginAttempts = new Attempts(options.login);
  const reauth = {
    users: options.users,
    security: options.security,
    box: options.box,
    loginAttempts,
    reauthWindowMs: options.reauthWindowMs,
  };
  mountAuth(pages, {
    users: options.users,
    security: options.security,
    box: options.box,
    pricing: options.pricing,
    session,
    apiUrl: options.apiUrl,
    testCredits: options.testCredits,
    loginAttempts,
    signups: new Attempts(options.signup),
    log: options.logger,
  });
  mountTools(pages);
  mountPages(pages, {
    log: options.log,
    trail: options.trail,
    pricing: options.pricing,
    logger: options.logger,
  });
  mountCancel(pages, {
    reader: options.trail,
    routing: options.routing,
    logger: options.logger,
    now: Date.now,
  });
  mountActions(pages, {
    ...reauth,
    pricing: options.pricing,
    dispatcher: options.dispatcher,
    apiUrl: options.apiUrl,
    ingressUrl: options.ingressUrl,
    timeoutMs: options.rpcTimeoutMs * 2,
  });
  mountKeys(pages, {
    ...reauth,
    pricing: options.pricing,
    inbound: options.inbound,
    team: options.team,
  });
  mountSmpp(pages, {
    ...reauth,
    pricing: options.pricing,
    address: options.smppAddress,
  });
  mountAccountPage(pages, { pricing: options.pricing });
  mountTwoWay(pages, {
    inbound: options.inbound,
    pricing: options.pricing,
    allowPrivateCallbacks: options.allowPrivateCallbacks,
  });
  mountTeam(pages, {
    team: options.team,
    pricing: options.pricing,
    audit: options.audit,
    invitationTtlMs: options.invitationTtlMs,
    publicUrl: options.publicUrl,
  });
  mountAccountSecurity(pages, { ...reauth, audit: options.audit });
  mountInvite(pages, { team: options.team, users: options.users, session, audit: options.audit });
  app.use(pages);

  app.use((_req: Request, res: Response) => {
    res.status(404).send(errorPage(context(res), 404, "Not found", "There is no such page.").value);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      // A body express could not read (too large, malformed): the client's problem.
      res
        .status(status)
        .send(errorPage(context(res), status, "Bad request", "The form could not be read.").value);
      return;
    }
    if (error instanceof PricingUnavailableError || error instanceof InboundUnavailableError) {
      options.logger.warn({ err: error.message }, "a service did not answer");
    } else {
      options.logger.error({ err: error }, "request failed");
    }
    res
      .status(503)
      .send(
        errorPage(
          context(res),
          503,
          "Try again",
          "Something is unavailable for a moment; try again.",
        ).value,
      );
  });
  return app;
}

/** The page context even when the session middleware did not run (errors before it). */
function context(res: Response) {
  return locals(res).csrf ? pageContext(res) : { csrf: "" };
}
