import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, messageIdsOfKey, NUMBERS, startHarness } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
});
afterAll(async () => {
  await h?.stop();
});

const postBatch = (body: unknown, auth = h.account, idempotencyKey?: string) =>
  call(`${h.base}/v1/messages/batch`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${auth.hash}:${auth.token}`).toString("base64")}`,
      "content-type": "application/json",
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });

const item = (overrides: Record<string, unknown> = {}) => ({
  to: NUMBERS.charged,
  from: "MyApp",
  text: "batch",
  ...overrides,
});

describe("POST /v1/messages/batch", () => {
  it("when some items are bad, the good ones are sent and each item has its own result, in order", async () => {
    const before = await h.streamMessages();
    const answer = await postBatch({
      messages: [
        item({ reference: "a" }),
        item({ to: "+3725" }),
        { to: NUMBERS.charged },
        item({ to: NUMBERS.lowBalance }),
        item({ to: NUMBERS.noAnswer }),
        item({ reference: "f" }),
      ],
    });
    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 2, refused: 4 });
    const results = answer.body.results as Array<Record<string, unknown>>;
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [0, "queued"],
      [1, "invalid_phone"],
      [2, "invalid_params"],
      [3, "low_balance"],
      [4, "server_error"],
      [5, "queued"],
    ]);
    expect(results[2]?.message).toBe("from is missing");
    expect(results[0]?.resource).toMatchObject({ reference: "a", status: "queued", cost: 0.042 });
    for (const r of [results[0], results[5]])
      await waitFor(() => h.accepted.get(String(r?.messageId)));
    expect(await h.streamMessages()).toBe(before + 2);
  });

  it("when a batch holds 1,000 messages, all are charged concurrently and published", async () => {
    const before = await h.streamMessages();
    const started = Date.now();
    const answer = await postBatch({
      messages: Array.from({ length: 1000 }, (_, i) => item({ reference: `r${i}` })),
    });
    expect(answer.body.accepted).toBe(1000);
    // One at a time they would take minutes; concurrently seconds, more beside another file.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await h.streamMessages()).toBe(before + 1000);
  });

  it("when a batch is empty, too large, or not an array, it is 400 invalid_params", async () => {
    for (const body of [
      { messages: [] },
      { messages: Array(1001).fill(item()) },
      { messages: "x" },
      {},
    ]) {
      const answer = await postBatch(body);
      expect(answer.httpStatus).toBe(400);
      expect(answer.body.status).toBe("invalid_params");
      expect(answer.body.message).toMatch(/messages/);
    }
  });

  it("when the body is over the batch's byte limit, it is 400 invalid_params naming that limit, not a single message's", async () => {
    // 1,000 items of 4,300 bytes: within the item count, over BATCH_MAX_BODY_BYTES (4 MiB).
    const answer = await postBatch({
      messages: Array(1000).fill(item({ text: "a".repeat(4300) })),
    });
    expect([answer.httpStatus, answer.body]).toEqual([
      400,
      { status: "invalid_params", message: "body is larger than 4194304 bytes" },
    ]);
  });

  it("when the batch is larger than the account's remaining burst, it is 429 as a whole, and passes once the bucket refilled", async () => {
    const small = await h.putAccount({ limits: { accountRatePerSec: 1, accountBurst: 3 } });
    await waitFor(async () => {
      const a = await postBatch({ messages: [item()] }, small);
      return a.httpStatus === 401 ? undefined : a;
    });
    const answer = await postBatch({ messages: [item(), item(), item()] }, small);
    expect(answer.httpStatus).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("1");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await postBatch({ messages: [item(), item(), item()] }, small)).body.accepted).toBe(3);
  });

  it("when the batch is larger than the account's whole burst, it is 400 invalid_params naming the most a request may carry, and nothing is sent", async () => {
    const small = await h.putAccount({ limits: { accountRatePerSec: 1, accountBurst: 3 } });
    const before = await h.streamMessages();
    const answer = await waitFor(async () => {
      const a = await postBatch({ messages: [item(), item(), item(), item()] }, small);
      return a.httpStatus === 401 ? undefined : a;
    });
    expect(answer.httpStatus).toBe(400);
    expect(answer.body.status).toBe("invalid_params");
    expect(answer.body.message).toMatch(/at most 3 a request/);
    expect(answer.headers.get("retry-after")).toBeNull();
    expect(await h.streamMessages()).toBe(before);
    expect((await postBatch({ messages: [item(), item(), item()] }, small)).body.accepted).toBe(3);
  });

  it("when a batch is retried with its Idempotency-Key, it is sent once and answered the same", async () => {
    const key = `batch-${Date.now()}`;
    const send = (messages: unknown[]) =>
      call(`${h.base}/v1/messages/batch`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify({ messages }),
      });
    const before = await h.streamMessages();
    const messages = [item({ reference: "x" }), item({ to: "+3725" }), item({ reference: "y" })];
    const [first, second] = await Promise.all([send(messages), send(messages)]);
    expect(first.body.accepted).toBe(2);
    expect(second.text).toBe(first.text);
    expect(await h.streamMessages()).toBe(before + 2);
  });

  it("when a batch item is nested thousands of levels deep and the batch has an Idempotency-Key, it is 400 invalid_params, not a server error", async () => {
    const depth = 100_000;
    const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const before = await h.streamMessages();
    const answer = await call(`${h.base}/v1/messages/batch`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`,
        "content-type": "application/json",
        "idempotency-key": `deep-${Date.now()}`,
      },
      body: `{"messages":[${JSON.stringify(item())},{"to":${deep}}]}`,
    });
    expect(answer.httpStatus).toBe(400);
    expect(answer.body).toEqual({
      status: "invalid_params",
      message: "body is nested more than 32 levels deep",
    });
    expect(await h.streamMessages()).toBe(before);
  });

  it("when a batch is retried after an item's first charge was refunded (its acceptance never came), that item is sent once under a new messageId and the others under theirs", async () => {
    const key = `batch-refunded-${Date.now()}`;
    const body = { messages: [item({ text: "kept id" }), item({ text: "spent id" })] };
    const send = () => postBatch(body, h.account, key);
    await h.stopPricing();
    const failed = await send();
    expect(failed.body.accepted).toBe(0);
    h.startPricing();
    await h.messaging.nats.nc.flush();
    // The ids the key holds (no pricing heard the failed try).
    const [kept = "", spent = ""] = await messageIdsOfKey(h, key);
    // Pricing's sweep refunded the second item's charge: that id can never be sent.
    h.refundedIds.add(spent);

    const retried = await send();
    const results = retried.body.results as Array<{ status: string; messageId?: string }>;
    expect(results.map((r) => r.status)).toEqual(["queued", "queued"]);
    expect(results[0]?.messageId).toBe(kept);
    const sentAs = results[1]?.messageId ?? "";
    expect(sentAs).toMatch(/^msg_/);
    expect(sentAs).not.toBe(spent);
    await waitFor(() => h.accepted.has(kept) && h.accepted.has(sentAs), {
      what: "both items accepted",
    });
    expect(h.accepted.has(spent)).toBe(false);
    // The key now holds the new id: another retry replays, and charges nothing more.
    const asked = h.authorizeRequests.length;
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(retried.text);
    expect(h.authorizeRequests.length).toBe(asked);
  });

  it("when a batch item met a server error, the retry runs again under the same message ids", async () => {
    const key = `batch-retry-${Date.now()}`;
    const send = () =>
      postBatch({ messages: [item(), item({ to: NUMBERS.noAnswer })] }, h.account, key);
    const askedAbout = () =>
      h.authorizeRequests.filter((r) => r.to === NUMBERS.noAnswer).map((r) => r.messageId);
    const askedBefore = askedAbout().length;
    const first = await send();
    const onFirst = askedAbout().slice(askedBefore);
    const second = await send();
    const onSecond = askedAbout().slice(askedBefore + onFirst.length);
    const ids = (a: typeof first) =>
      (a.body.results as Array<{ messageId?: string }>).map((r) => r.messageId);
    expect(first.body.accepted).toBe(1);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(ids(second)[0]).toBe(ids(first)[0]);
    // Pricing was asked about the item that got no answer on both tries (an unanswered ask
    // may be asked once more within a try), every time under one id.
    expect(onFirst.length).toBeGreaterThanOrEqual(1);
    expect(onSecond.length).toBeGreaterThanOrEqual(1);
    expect(new Set([...onFirst, ...onSecond]).size).toBe(1);
  });
});
