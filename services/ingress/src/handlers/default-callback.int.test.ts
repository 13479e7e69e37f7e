import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type Harness,
  NUMBERS,
  query,
  startHarness,
  type TestAccount,
} from "../testing/harness.ts";

// The account's default callback URL (AccountRecord.defaultCallbackUrl, set through pricing)
// goes into the accepted event of a message sent without one, on both send endpoints; the
// dispatcher sends every report of a message to its event's callbackUrl.

let h: Harness;
let withDefault: TestAccount;
const DEFAULT_URL = "https://hooks.example.com/default?k=1";
const OWN_URL = "https://own.example.com/reports";

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  withDefault = await h.putAccount({ defaultCallbackUrl: DEFAULT_URL });
});
afterAll(async () => {
  await h?.stop();
});

const basic = (a: TestAccount) => `Basic ${Buffer.from(`${a.hash}:${a.token}`).toString("base64")}`;

/** Sends through /v1 until the account is in ingress's cache (the KV watch is asynchronous). */
async function sendV1(account: TestAccount, extra: Record<string, unknown> = {}) {
  const answer = await waitFor(async () => {
    const a = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: { authorization: basic(account), "content-type": "application/json" },
      body: JSON.stringify({ to: NUMBERS.charged, from: "MyApp", text: "hi", ...extra }),
    });
    return a.httpStatus === 401 ? undefined : a;
  });
  expect(answer.httpStatus).toBe(202);
  return String(answer.body.messageId);
}

async function sendCompatible(account: TestAccount, extra: Record<string, string> = {}) {
  const answer = await waitFor(async () => {
    const fields = { hash: account.hash, token: account.token, toNumber: NUMBERS.charged };
    const a = await call(
      `${h.base}/?${query({ ...fields, fromNumber: "MyApp", text: "hi", ...extra })}`,
    );
    return a.httpStatus === 401 ? undefined : a;
  });
  expect(answer.body.status).toBe("success");
  return String(answer.body.messageId);
}

const callbackOf = async (messageId: string) =>
  (await waitFor(() => h.accepted.get(messageId), { what: messageId })).data.callbackUrl;

describe("an account's default callback URL", () => {
  it("when a message is sent without a callbackUrl by an account with a default, its reports go to the default (v1 and compatible)", async () => {
    expect(await callbackOf(await sendV1(withDefault))).toBe(DEFAULT_URL);
    expect(await callbackOf(await sendCompatible(withDefault))).toBe(DEFAULT_URL);
    // An empty callbackUrl counts as absent (api.md), so the default applies too.
    expect(await callbackOf(await sendCompatible(withDefault, { callbackUrl: "" }))).toBe(
      DEFAULT_URL,
    );
  });

  it("when a message names its own callbackUrl, it keeps its own", async () => {
    expect(await callbackOf(await sendV1(withDefault, { callbackUrl: OWN_URL }))).toBe(OWN_URL);
    expect(await callbackOf(await sendCompatible(withDefault, { callbackUrl: OWN_URL }))).toBe(
      OWN_URL,
    );
  });

  it("when the account has no default, a message without a callbackUrl has none", async () => {
    expect(await callbackOf(await sendV1(h.account))).toBeNull();
  });
});
