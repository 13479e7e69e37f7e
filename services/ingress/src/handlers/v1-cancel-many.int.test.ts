import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyScope, CancelRequest } from "@smsgw/contracts";
import { type ServiceProcess, startServiceProcess, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type Harness,
  startHarness,
  startIngressBeside,
  type TestAccount,
} from "../testing/harness.ts";
import { postSlowly } from "../testing/slow-post.ts";
import { CANCEL_CONCURRENCY } from "./v1-cancel-many.ts";

/**
 * `POST /v1/messages/cancel` (ADR 0030, amendment of 2026-12-07) through ingress, the event
 * store and routing, each as its own process under its own NATS user; at the end routing is
 * stopped, and a stand-in answers its cancel subject.
 */
let h: Harness;
let eventStore: ServiceProcess;
let routing: ServiceProcess | undefined;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
  routing = await startServiceProcess("routing", {
    ...h.infra.envOf("routing"),
    ROUTES: "+372=sim-a",
    ROUTE_SCHEDULE_POLL_MS: "200",
  });
});
afterAll(async () => {
  await routing?.stop();
  await eventStore?.stop();
  await h?.stop();
});

const HOUR_LATER = () => new Date(Date.now() + 3_600_000);

const basic = (hash: string, token: string) => ({
  authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
});
const auth = (account: TestAccount = h.account) => basic(account.hash, account.token);

const cancelMany = (body: unknown, headers: Record<string, string> = auth()) =>
  call(`${h.base}/v1/messages/cancel`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const get = (id: string, account?: TestAccount) =>
  call(`${h.base}/v1/messages/${id}`, { headers: auth(account) });

type Item = { index: number; messageId: string; canceled: boolean; status?: string };
const resultsOf = (answer: { body: Record<string, unknown> }) => answer.body.results as Item[];

/** Sends `count` messages in one batch (scheduled an hour ahead unless `now`), once recorded. */
async function send(
  count: number,
  { now = false, account = h.account }: { now?: boolean; account?: TestAccount } = {},
): Promise<string[]> {
  const message = {
    to: "+37256789045",
    from: "MyApp",
    text: "Tomorrow's campaign",
    ...(now ? {} : { sendAt: HOUR_LATER().toISOString() }),
  };
  // A new account: until ingress's accounts cache has it.
  const sent = await waitFor(async () => {
    const answer = await call(`${h.base}/v1/messages/batch`, {
      method: "POST",
      headers: { ...auth(account), "content-type": "application/json" },
      body: JSON.stringify({ messages: Array(count).fill(message) }),
    });
    return answer.httpStatus === 401 ? undefined : answer;
  });
  expect(sent.body.accepted).toBe(count);
  const ids = resultsOf(sent).map((r) => r.messageId);
  for (const id of ids) {
    await waitFor(async () => (await get(id, account)).httpStatus === 200, {
      what: "the message's record",
    });
  }
  return ids;
}

/** Asks again while an item is a server_error: routing reads an accepted message a moment late. */
const untilAnswered = (body: unknown) =>
  waitFor(async () => {
    const answer = await cancelMany(body);
    return resultsOf(answer)?.some((r) => r.status === "server_error") ? undefined : answer;
  });

async function accountWithKey(scopes: ApiKeyScope[]): Promise<Record<string, string>> {
  const keyId = `key_${randomBytes(10).toString("hex")}`;
  const secret = `${keyId}.${randomBytes(24).toString("base64url")}`;
  const account = await h.putAccount({
    apiKeys: [
      {
        id: keyId,
        name: "a key",
        scopes,
        allowedIps: [],
        secretSha256: createHash("sha256").update(secret).digest("hex"),
        createdAt: new Date().toISOString(),
      },
    ],
  });
  const headers = basic(account.hash, secret);
  // Until ingress's accounts cache has it.
  await waitFor(async () => {
    const answer = await call(`${h.base}/v1/messages/not-an-id`, { headers });
    return answer.httpStatus === 401 ? undefined : answer;
  });
  return headers;
}

describe("POST /v1/messages/cancel", () => {
  it("when a batch mixes every case, each id has its own result, in request order, and only the scheduled ones are canceled", async () => {
    const other = await h.putAccount();
    const [waiting, canceledBefore] = await send(2);
    const [sentNow] = await send(1, { now: true });
    const [othersId] = await send(1, { account: other });
    // Canceled before, by the single cancel: it ends failed canceled.
    await waitFor(async () => {
      const answer = await call(`${h.base}/v1/messages/${canceledBefore}/cancel`, {
        method: "POST",
        headers: auth(),
      });
      return answer.httpStatus === 202 ? answer : undefined;
    });
    await waitFor(async () => (await get(String(canceledBefore))).body.status === "failed");

    const ids = [waiting, sentNow, othersId, "not-an-id", canceledBefore, waiting];
    const answer = await untilAnswered({ messageIds: ids });

    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toMatchObject({ canceled: 3, refused: 3 });
    expect(resultsOf(answer)).toEqual([
      { index: 0, messageId: waiting, canceled: true },
      {
        index: 1,
        messageId: sentNow,
        canceled: false,
        status: "message_not_cancelable",
        message:
          "the message was not scheduled: only a message waiting for its sendAt can be canceled",
      },
      {
        index: 2,
        messageId: othersId,
        canceled: false,
        status: "not_found",
        message: "no such message",
      },
      {
        index: 3,
        messageId: "not-an-id",
        canceled: false,
        status: "not_found",
        message: "no such message",
      },
      { index: 4, messageId: canceledBefore, canceled: true },
      { index: 5, messageId: waiting, canceled: true },
    ]);
    const ended = await waitFor(async () => {
      const view = await get(String(waiting));
      return view.body.status === "failed" ? view : undefined;
    });
    expect(ended.body).toMatchObject({ errorCode: "canceled" });
    expect((await get(String(othersId), other)).body.status).toBe("queued");
  });

  it("when the key has only the read scope, it is refused 403 forbidden, as the single cancel is", async () => {
    const reader = await accountWithKey(["read"]);
    const answer = await cancelMany({ messageIds: ["msg_01KZZZZZZZZZZZZZZZZZZZZZZZ"] }, reader);
    expect([answer.httpStatus, answer.body.status]).toEqual([403, "forbidden"]);
    const sender = await accountWithKey(["send"]);
    const allowed = await cancelMany({ messageIds: ["msg_01KZZZZZZZZZZZZZZZZZZZZZZZ"] }, sender);
    expect(allowed.httpStatus).toBe(200);
  });

  it("when the credentials are the body's hash and token, they are the account's", async () => {
    const answer = await cancelMany(
      { messageIds: ["not-an-id"], hash: h.account.hash, token: h.account.token },
      {},
    );
    expect(answer.httpStatus).toBe(200);
    expect(resultsOf(answer)).toMatchObject([{ status: "not_found" }]);
  });

  it("when the body is not JSON, or messageIds is missing, empty, over 1,000, not an array or holds a non-string, it is 400 invalid_params naming it", async () => {
    const id = "msg_01KZZZZZZZZZZZZZZZZZZZZZZZ";
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /not valid JSON/],
      [{}, /messageIds is missing/],
      [{ messageIds: [] }, /messageIds/],
      [{ messageIds: Array(1001).fill(id) }, /messageIds.*1000/],
      [{ messageIds: id }, /messageIds must be an array/],
      [{ messageIds: [id, 7] }, /messageIds\.1 must be a string/],
      [{ messageIds: [id], messageId: id }, /unknown field messageId/],
    ];
    for (const [body, named] of cases) {
      const answer = await cancelMany(body);
      expect([answer.httpStatus, answer.body.status], JSON.stringify(body)).toEqual([
        400,
        "invalid_params",
      ]);
      expect(answer.body.message).toMatch(named);
    }
    const empty = await call(`${h.base}/v1/messages/cancel`, { method: "POST", headers: auth() });
    expect([empty.httpStatus, empty.body.status]).toEqual([400, "invalid_params"]);
  });

  it("when it names more ids than the account's bucket holds now, it is 429 as a whole: one token per id", async () => {
    const small = await h.putAccount({ limits: { accountRatePerSec: 1, accountBurst: 3 } });
    const ids = ["not-an-id", "not-an-id", "not-an-id"];
    await waitFor(async () => {
      const answer = await cancelMany({ messageIds: ["not-an-id"] }, auth(small));
      return answer.httpStatus === 401 ? undefined : answer;
    });
    const answer = await cancelMany({ messageIds: ids }, auth(small));
    expect([answer.httpStatus, answer.body.status]).toEqual([429, "rate_limit"]);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect((await cancelMany({ messageIds: ids }, auth(small))).httpStatus).toBe(200);
  });
});

describe("POST /v1/messages/cancel while routing is away", () => {
  it("when routing does not answer, each scheduled id is a server_error to ask again, and the answer is still 200", async () => {
    const ids = await send(3);
    await routing?.stop();
    routing = undefined;
    const answer = await cancelMany({ messageIds: [...ids, "not-an-id"] });
    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toMatchObject({ canceled: 0, refused: 4 });
    const results = resultsOf(answer) as Array<Item & { message: string }>;
    expect(results.map((r) => r.status)).toEqual([
      "server_error",
      "server_error",
      "server_error",
      "not_found",
    ]);
    expect(results[0]?.message).toMatch(/ask again \(harmless\)/);
  });

  it("when the body is uploaded slowly, the wait counts from the request's arrival, as the deadline does: still 200 with server_error items, never the deadline's 500", async () => {
    await routing?.stop();
    routing = undefined;
    const ids = await send(2);
    // Routing's subject has a taker that never answers, and the NATS request outwaits the
    // request's ceiling: only the handler's own wait can end it.
    const silent = h.messaging.nats.nc.subscribe(h.messaging.subjects.cancelScheduled, {
      callback: () => undefined,
    });
    await h.messaging.nats.nc.flush();
    // A 1.5 s ceiling, within which the handler's wait is 1 s; the body takes 0.8 s to arrive.
    const short = await startIngressBeside(h, {
      REQUEST_TIMEOUT_MS: "1500",
      AUTHORIZE_TIMEOUT_MS: "10000",
    });
    try {
      const answer = await postSlowly(
        `http://127.0.0.1:${short.port}/v1/messages/cancel`,
        JSON.stringify({ messageIds: ids }),
        { pieces: 3, pauseMs: 200, headers: auth() },
      );
      expect(answer.httpStatus).toBe(200);
      expect(answer.body).toMatchObject({ canceled: 0, refused: 2 });
      expect(resultsOf(answer).map((r) => r.status)).toEqual(["server_error", "server_error"]);
    } finally {
      await silent.drain();
      await short.stop();
    }
  });

  it(`when many ids are asked, routing never sees more than ${CANCEL_CONCURRENCY} cancels at once`, async () => {
    const ids = await send(60);
    let inFlight = 0;
    let most = 0;
    const asked = new Set<string>();
    const standIn = h.messaging.nats.nc.subscribe(h.messaging.subjects.cancelScheduled, {
      callback: (error, msg) => {
        if (error) return;
        asked.add(msg.json<CancelRequest>().messageId);
        inFlight += 1;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          msg.respond(JSON.stringify({ outcome: "canceled" }));
        }, 40);
      },
    });
    await h.messaging.nats.nc.flush();
    try {
      const answer = await cancelMany({ messageIds: ids });
      expect(answer.body).toMatchObject({ canceled: 60, refused: 0 });
      expect(asked.size).toBe(60);
      expect(most).toBeLessThanOrEqual(CANCEL_CONCURRENCY);
      expect(most).toBeGreaterThan(1);
    } finally {
      await standIn.drain();
    }
  });
});
