import { countParts } from "@smsgw/sms-text";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { call, type Harness, NUMBERS, query, startHarness } from "../testing/harness.ts";

// The splitter, watched: the ingress under test (in this process) imports this very module.
vi.mock("@smsgw/sms-text", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@smsgw/sms-text")>();
  return { ...actual, countParts: vi.fn(actual.countParts) };
});
const splitter = vi.mocked(countParts);

/**
 * Issue 23: the parts of a text were counted before the credentials were checked, so a
 * client with a wrong token could make every request split 64 KB of text (9-20 ms of CPU).
 * Now the text is bounded by its length (O(1)) before anything else, and split only once
 * the account is known and within its rate limit. (Its cost: `send.bench.ts`.)
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  splitter.mockClear();
});

/** 11 UCS-2 parts (the limit is 10), yet within the length bound: only the splitter can tell. */
const elevenParts = "ж".repeat(67 * 10 + 1);
/** 64 KB: over the length bound (1,530 characters for 10 parts) whatever it says. */
const huge = "a".repeat(60_000);

const fieldsOf = (overrides: Record<string, string> = {}) => ({
  hash: h.account.hash,
  token: h.account.token,
  toNumber: NUMBERS.charged,
  fromNumber: "MyApp",
  text: "Hello",
  ...overrides,
});
const get = (fields: Record<string, string>) => call(`${h.base}/?${query(fields)}`);
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${h.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const basic = (hash: string, token: string) => ({
  authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
});

describe("when the token is wrong, the text is not split", () => {
  it("when the compatible GET has a wrong token and a text over the part limit, it is auth_failed and the splitter is not called", async () => {
    const answer = await get(fieldsOf({ token: "wrong", text: elevenParts }));
    expect(answer.httpStatus).toBe(401);
    expect(answer.body.status).toBe("auth_failed");
    expect(splitter).not.toHaveBeenCalled();
  });

  it("when the compatible JSON POST has a wrong token and a text over the part limit, it is auth_failed and the splitter is not called", async () => {
    const answer = await postJson("/", fieldsOf({ token: "wrong", text: elevenParts }));
    expect(answer.httpStatus).toBe(401);
    expect(splitter).not.toHaveBeenCalled();
  });

  it("when POST /v1/messages or a batch has a wrong token and texts over the part limit, it is auth_failed and the splitter is not called", async () => {
    const message = { to: NUMBERS.charged, from: "MyApp", text: elevenParts };
    const wrong = basic(h.account.hash, "wrong");
    const single = await postJson("/v1/messages", message, wrong);
    expect(single.httpStatus).toBe(401);
    const batch = await postJson("/v1/messages/batch", { messages: [message, message] }, wrong);
    expect(batch.httpStatus).toBe(401);
    expect(splitter).not.toHaveBeenCalled();
  });

  it("when a 64 KB text comes with a wrong token, it is refused by its length (invalid_params, api.md's order) and the splitter is not called", async () => {
    const compatible = await postJson("/", fieldsOf({ token: "wrong", text: huge }));
    expect(compatible.httpStatus).toBe(400);
    expect(compatible.body).toEqual({
      status: "invalid_params",
      message: "text is 60000 characters long; the limit is 10 parts (at most 1530 characters)",
    });
    const v1 = await postJson(
      "/v1/messages",
      { to: NUMBERS.charged, from: "MyApp", text: huge },
      basic(h.account.hash, "wrong"),
    );
    expect(v1.httpStatus).toBe(400);
    expect(splitter).not.toHaveBeenCalled();
  });
});

describe("when the account is known, the text is split", () => {
  it("when the token is right and the text over the part limit, it is invalid_params with its part count, split once", async () => {
    const answer = await get(fieldsOf({ text: elevenParts }));
    expect(answer.httpStatus).toBe(400);
    expect(answer.body).toEqual({
      status: "invalid_params",
      message: "text is 11 parts long; the limit is 10 parts",
    });
    expect(splitter).toHaveBeenCalledTimes(1);
  });

  it("when the account is over its rate limit, a text over the part limit is rate_limit and not split", async () => {
    const slow = await h.putAccount({ limits: { accountRatePerSec: 0.01, accountBurst: 1 } });
    const fields = fieldsOf({ hash: slow.hash, token: slow.token });
    // The KV watch brings the account asynchronously; its first send takes the one token.
    await waitFor(async () => (await get(fields)).body.status === "success");
    splitter.mockClear();
    const answer = await get({ ...fields, text: elevenParts });
    expect(answer.httpStatus).toBe(429);
    expect(answer.body.status).toBe("rate_limit");
    expect(splitter).not.toHaveBeenCalled();
  });

  it("when a valid text is sent, it is split once and accepted with its parts", async () => {
    const answer = await get(fieldsOf({ text: "ж".repeat(71) }));
    expect(answer.body).toMatchObject({ status: "success", parts: 2 });
    expect(splitter).toHaveBeenCalledTimes(1);
  });
});
