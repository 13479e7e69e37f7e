import type { AccountLogReader, MessageReader } from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import express, { type NextFunction, type Request, type Response } from "express";
import type { UserStore } from "../db/users.ts";
import { errorPage } from "../domain/pages/auth.ts";
import type { ThrottleRule } from "../domain/throttle.ts";
import { mountActions } from "./account-actions.ts";
import { mountAccountPage } from "./account-page.ts";
import { Attempts } from "./attempts.ts";
import { mountAuth } from "./auth.ts";
import type { DispatcherClient } from "./dispatcher-client.ts";
import { type InboundClient, InboundUnavailableError } from "./inbound-client.ts";
import { mountKeys } from "./keys.ts";
import { mountPages } from "./pages.ts";
import { type PricingClient, PricingUnavailableError } from "./pricing-client.ts";
import { locals, pageContext, securityHeaders, sessions } from "./security.ts";
import { mountSmpp } from "./smpp.ts";
import { mountStatic } from "./static.ts";
import { mountTools } from "./tools.ts";
import { mountTwoWay } from "./two-way.ts";

export interface AppOptions {
  users: UserStore;
  pricing: PricingClient;
  dispatcher: DispatcherClient;
  /** Numbers, inbound messages and opt-outs: the inbound service's API. */
  inbound: InboundClient;
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
  };
  app.use(express.urlencoded({ extended: false, limit: "32kb", parameterLimit: 50 }));
  app.use(sessions(session));
  const pages = express.Router();
  pages.get("/", (_req, res) => res.redirect(303, locals(res).user ? "/dashboard" : "/login"));
  const loginAttempts = new Attempts(options.login);
  mountAuth(pages, {
    users: options.users,
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
  mountActions(pages, {
    pricing: options.pricing,
    users: options.users,
    loginAttempts,
    dispatcher: options.dispatcher,
    apiUrl: options.apiUrl,
    ingressUrl: options.ingressUrl,
    timeoutMs: options.rpcTimeoutMs * 2,
  });
  mountKeys(pages, {
    pricing: options.pricing,
    inbound: options.inbound,
    users: options.users,
    loginAttempts,
  });
  mountSmpp(pages, {
    pricing: options.pricing,
    users: options.users,
    loginAttempts,
    address: options.smppAddress,
  });
  mountAccountPage(pages, { pricing: options.pricing });
  mountTwoWay(pages, {
    inbound: options.inbound,
    pricing: options.pricing,
    allowPrivateCallbacks: options.allowPrivateCallbacks,
  });
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
