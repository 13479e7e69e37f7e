import { ALWAYS_ADMIT, createPipeline, createRateLimiter } from "@smsgw/message-acceptance";
import { createLogger } from "@smsgw/service-kit";
import { countParts } from "@smsgw/sms-text";
import type { Request, RequestHandler, Response } from "express";
import { test } from "vitest";
import { accountRecordWithToken } from "../testing/account-record.ts";
import { createAuthenticator } from "./auth.ts";
import { createSendHandler } from "./send.ts";

// What a send request costs the ingress's CPU before it is refused (issue 23: a 64 KB text
// with a wrong token cost 9-20 ms when its parts were counted before the credentials).
// The whole handler of the compatible endpoint, from the JSON body's parse to the answer,
// with the accounts in memory as in production; pricing and JetStream are stand-ins that
// answer at once (only the accepted case reaches them).

const token = "the-right-token";
const account = accountRecordWithToken(token, { accountId: "acc_bench", hash: "hbench" });
const limits = { ip: { ratePerSec: 1e9, burst: 1e9 }, account: { ratePerSec: 1e9, burst: 1e9 } };
const now = () => Date.now();
const pipeline = createPipeline({
  maxParts: 10,
  authorizer: {
    authorize: async (request) => ({
      outcome: "charged",
      amount: 420 * request.parts,
      currency: "EUR",
      pricePerPart: 420,
    }),
  },
  publisher: { publish: async () => undefined, publishGrouped: async () => undefined },
  routingRules: () => null,
  log: createLogger("bench", "silent"),
  now,
});
const send: RequestHandler = createSendHandler({
  maxParts: 10,
  allowPrivateCallbacks: false,
  authenticator: createAuthenticator(new Map([[account.hash, account]])),
  accountLimiter: createRateLimiter(limits.account),
  defaultLimits: limits,
  pipeline,
  admission: ALWAYS_ADMIT,
  now,
});

/** A POST / with this JSON body, parsed as express.json would, through the handler. */
async function post(body: string): Promise<number> {
  let status = 0;
  const res = {
    headersSent: false,
    locals: {},
    req: { path: "/" },
    set: () => res,
    status(code: number) {
      status = code;
      return res;
    },
    json() {
      res.headersSent = true;
      return res;
    },
  };
  const req = { method: "POST", query: {}, body: JSON.parse(body) as unknown };
  await send(req as unknown as Request, res as unknown as Response, () => undefined);
  return status;
}

const bodyOf = (text: string, secret = "wrong") =>
  JSON.stringify({
    hash: account.hash,
    token: secret,
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    text,
  });
const text64k = "a".repeat(64 * 1024 - 200);
const wrong64k = bodyOf(text64k);
const wrongElevenParts = bodyOf("ж".repeat(67 * 10 + 1));
const rightOnePart = bodyOf("Your code is 482913.", token);

test("a send refused before any text work (issue 23), beside an accepted one", async ({
  bench,
}) => {
  await bench.compare(
    bench("64 KB text, wrong token: refused by its length (400)", async () => {
      if ((await post(wrong64k)) !== 400) throw new Error("expected 400");
    }),
    bench("11-part text, wrong token: refused by the credentials (401)", async () => {
      if ((await post(wrongElevenParts)) !== 401) throw new Error("expected 401");
    }),
    bench("1-part text, right token: accepted (200)", async () => {
      if ((await post(rightOnePart)) !== 200) throw new Error("expected 200");
    }),
    bench("countParts of the 64 KB text alone (what each such request did before)", () => {
      countParts(text64k);
    }),
  );
});
