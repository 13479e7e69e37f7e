import {
  BalanceRequest,
  type BalanceResponse,
  PriceRequest,
  type PriceResponse,
  type Subjects,
} from "@smsgw/contracts";
import { errorMessage, type Logger, type Nats } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { z } from "zod";
import { type PricingDatabase, toUnits } from "../db/schema.ts";
import type { PriceBook } from "../domain/price-book.ts";
import { quote } from "../domain/quote.ts";

/**
 * The read-only RPCs behind `GET /v1/balance` and `GET /v1/prices?to=…` (queue group
 * "pricing"). The price is quoted by the same `quote` that authorize charges with.
 */
export interface QueryOptions {
  nats: Nats;
  subjects: Subjects;
  db: Kysely<PricingDatabase>;
  prices(): PriceBook;
  log: Logger;
}

export interface QueryResponders {
  stop(): Promise<void>;
}

export function startQueryResponders(options: QueryOptions): QueryResponders {
  const { db } = options;

  async function balance(request: BalanceRequest): Promise<BalanceResponse> {
    const row = await db
      .selectFrom("accounts")
      .select(["balance", "currency"])
      .where("account_id", "=", request.accountId)
      .executeTakeFirst();
    if (!row) return { outcome: "error", reason: `unknown account ${request.accountId}` };
    return { outcome: "balance", balance: toUnits(row.balance), currency: row.currency };
  }

  async function price(request: PriceRequest): Promise<PriceResponse> {
    if (!/^\+[0-9]{1,15}$/.test(request.to)) {
      return { outcome: "error", reason: "to: must be E.164 ('+' and up to 15 digits)" };
    }
    const account = await db
      .selectFrom("accounts")
      .select(["account_id", "status", "currency", "blocked_countries"])
      .where("account_id", "=", request.accountId)
      .executeTakeFirst();
    if (!account) return { outcome: "error", reason: `unknown account ${request.accountId}` };
    const quoted = quote(
      {
        accountId: account.account_id,
        status: account.status,
        currency: account.currency,
        blockedCountries: account.blocked_countries,
      },
      request.to,
      countryOf(request.to),
      options.prices(),
    );
    if (!quoted.ok) return { outcome: "destination_blocked", reason: quoted.reason };
    return {
      outcome: "price",
      to: request.to,
      country: quoted.country,
      pricePerPart: quoted.price.pricePerPart,
      currency: quoted.price.currency,
    };
  }

  const subscriptions = [
    respond(options, options.subjects.balance, BalanceRequest, balance),
    respond(options, options.subjects.price, PriceRequest, price),
  ];
  return {
    async stop() {
      await Promise.allSettled(subscriptions.map((s) => s.drain()));
    },
  };
}

/** The destination's country as ingress derives it (libphonenumber), when it knows it. */
function countryOf(to: string): string | null {
  return parsePhoneNumberFromString(to)?.country ?? null;
}

export function respond<Req, Res extends { outcome: string }>(
  options: QueryOptions,
  subject: string,
  schema: z.ZodType<Req>,
  answer: (request: Req) => Promise<Res | { outcome: "error"; reason: string }>,
) {
  const { log } = options;
  return options.nats.nc.subscribe(subject, {
    queue: "pricing",
    callback(error, msg) {
      if (error) {
        log.warn({ err: errorMessage(error), subject }, "subscription error");
        return;
      }
      const reply = (response: unknown) => {
        try {
          msg.respond(JSON.stringify(response));
        } catch (e) {
          log.warn({ err: errorMessage(e) }, "reply not sent");
        }
      };
      let json: unknown;
      try {
        json = JSON.parse(msg.string());
      } catch {
        reply({ outcome: "error", reason: "the request is not JSON" });
        return;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        reply({
          outcome: "error",
          reason: `${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`,
        });
        return;
      }
      answer(parsed.data).then(reply, (e: unknown) => {
        log.error({ err: errorMessage(e), subject }, "query failed");
        reply({ outcome: "error", reason: "the query could not be answered; try again" });
      });
    },
  });
}
