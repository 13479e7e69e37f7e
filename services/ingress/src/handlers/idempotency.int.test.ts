import { newMessageId } from "@smsgw/contracts";
import { openDatabase } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type Harness,
  messageIdsOfKey,
  NUMBERS,
  startHarness,
  startIngressBeside,
} from "../testing/harness.ts";
import { postSlowly } from "../testing/slow-post.ts";
import { fingerprintOf } from "./idempotent.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
});
afterAll(async () => {
  await h?.stop();
});

const auth = () =>
  `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`;
let keys = 0;
const newKey = () => `key-${Date.now()}-${keys++}`;

const send = (key: string, body: unknown) =>
  call(`${h.base}/v1/messages`, {
    method: "POST",
    headers: { authorization: auth(), "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });

const message = (text = "Hello once") => ({ to: NUMBERS.charged, from: "MyApp", text });
const authorizedIds = () => new Set(h.authorizeRequests.map((r) => r.messageId));

describe("Idempotency-Key on POST /v1/messages", () => {
  it("when 50 identical requests with one key arrive at once, there is one message, one charge and one body", async () => {
    const key = newKey();
    const asked = h.authorizeRequests.length;
    const before = await h.streamMessages();
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(key, message())));
    expect(answers.map((a) => a.httpStatus)).toEqual(Array(50).fill(202));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(49);
    // The first result whole: a replayed 202 points at the message as the first one did.
    const location = `/v1/messages/${String(answers[0]?.body.messageId)}`;
    expect(answers.map((a) => a.headers.get("location"))).toEqual(Array(50).fill(location));
    expect(h.authorizeRequests.length - asked).toBe(1);
    expect(await h.streamMessages()).toBe(before + 1);
  });

  it("when the same key comes back later with the same body in another key order, it replays the first answer", async () => {
    const key = newKey();
    const first = await send(key, message());
    const again = await send(key, { text: "Hello once", from: "MyApp", to: NUMBERS.charged });
    expect(again.httpStatus).toBe(first.httpStatus);
    expect(again.text).toBe(first.text);
  });

  it("when the retry comes after the message's validUntil, it still replays the first answer; without the key, or with another account's credentials, the checks refuse it", async () => {
    const key = newKey();
    const body = {
      ...message("valid briefly"),
      validUntil: new Date(Date.now() + 1_500).toISOString(),
    };
    const first = await send(key, body);
    expect(first.httpStatus).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const before = await h.streamMessages();
    const again = await send(key, body);
    expect(again.httpStatus).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    const fresh = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: { authorization: auth(), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(fresh.httpStatus).toBe(400);
    expect(fresh.body.message).toBe("validUntil is not in the future");
    const stranger = await h.putAccount();
    const strangerAuth = `Basic ${Buffer.from(`${stranger.hash}:${stranger.token}`).toString("base64")}`;
    // Known to ingress first: else its 400 would say nothing about whose key it is.
    await waitFor(async () => {
      const known = await call(`${h.base}/v1/balance`, {
        headers: { authorization: strangerAuth },
      });
      return known.httpStatus === 200 || undefined;
    });
    const theirs = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: strangerAuth,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify(body),
    });
    expect(theirs.httpStatus).toBe(400);
    expect(await h.streamMessages()).toBe(before);
  });

  it("when the same key comes with another body, it is 422 idempotency_key_reused and nothing is sent", async () => {
    const key = newKey();
    await send(key, message());
    const before = await h.streamMessages();
    const other = await send(key, message("another text"));
    expect(other.httpStatus).toBe(422);
    expect(other.body).toEqual({ status: "idempotency_key_reused", message: expect.any(String) });
    expect(await h.streamMessages()).toBe(before);
  });

  it("when the first answer was a refusal, the retry gets the same refusal", async () => {
    const key = newKey();
    const first = await send(key, { ...message(), to: NUMBERS.lowBalance });
    const again = await send(key, { ...message(), to: NUMBERS.lowBalance });
    expect(first.httpStatus).toBe(422);
    expect(again.text).toBe(first.text);
  });

  it("when the first try ended in a server error, the retry sends under the same messageId", async () => {
    const key = newKey();
    await h.stopPricing();
    const failed = await send(key, message("after an outage"));
    expect(failed.httpStatus).toBe(500);
    h.startPricing();
    await h.messaging.nats.nc.flush();
    const retried = await send(key, message("after an outage"));
    expect(retried.httpStatus).toBe(202);
    const again = await send(key, message("after an outage"));
    expect(again.text).toBe(retried.text);
    // The only messageId pricing was ever asked about for this key is the accepted one.
    expect(authorizedIds().has(String(retried.body.messageId))).toBe(true);
  });

  it("when the retry comes after the first try's charge was refunded (its acceptance never came), it is sent once under a new messageId", async () => {
    const key = newKey();
    await h.stopPricing();
    const failed = await send(key, message("after a long outage"));
    expect(failed.httpStatus).toBe(500);
    h.startPricing();
    await h.messaging.nats.nc.flush();
    // The id the key holds (no pricing heard the failed try).
    const [spent = ""] = await messageIdsOfKey(h, key);
    expect(spent).toMatch(/^msg_/);
    // Pricing's sweep refunded that charge: the id can never be sent.
    h.refundedIds.add(spent);
    const retried = await send(key, message("after a long outage"));
    expect(retried.httpStatus).toBe(202);
    const sentAs = String(retried.body.messageId);
    expect(sentAs).not.toBe(spent);
    expect(h.authorizeRequests.filter((r) => r.messageId === spent)).toHaveLength(1);
    expect(h.authorizeRequests.filter((r) => r.messageId === sentAs)).toHaveLength(1);
    await waitFor(() => h.accepted.has(sentAs), { what: "the new id accepted" });
    expect(h.accepted.has(spent)).toBe(false);
    // And the key now answers with that send.
    const again = await send(key, message("after a long outage"));
    expect(again.text).toBe(retried.text);
  });

  it("when the same key is used by another account, it is that account's own key", async () => {
    const key = newKey();
    const first = await send(key, message());
    const other = await h.putAccount();
    const otherAuth = `Basic ${Buffer.from(`${other.hash}:${other.token}`).toString("base64")}`;
    let answer = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: otherAuth,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify(message()),
    });
    for (let i = 0; answer.httpStatus === 401 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await call(`${h.base}/v1/messages`, {
        method: "POST",
        headers: {
          authorization: otherAuth,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(message()),
      });
    }
    expect(answer.httpStatus).toBe(202);
    expect(answer.body.messageId).not.toBe(first.body.messageId);
  });

  it("when the key is malformed, it is 400 invalid_params", async () => {
    const answer = await send("x".repeat(256), message());
    expect(answer.httpStatus).toBe(400);
    expect(answer.body.message).toContain("Idempotency-Key");
  });
});

describe("a retry waiting on a key another request holds", () => {
  it("when its body was uploaded slowly, it still gives up before the request's deadline and says the first is still running", async () => {
    const key = newKey();
    const body = message("Held by another request");
    // Another request holds the key, as one whose charge is taking long would.
    const database = openDatabase(h.infra.env.DATABASE_URL ?? "", "ingress", { max: 1 });
    try {
      await database.sql`
        insert into ingress.idempotency_keys (account_id, key, fingerprint, message_id, state)
        values (${h.account.accountId}, ${key}, ${fingerprintOf(body) ?? ""}, ${newMessageId()}, 'pending')`;
    } finally {
      await database.close();
    }
    // A 1.5 s ceiling, within which a waiter waits 1 s; the body takes 0.8 s to arrive.
    const short = await startIngressBeside(h, { REQUEST_TIMEOUT_MS: "1500" });
    try {
      const answer = await postSlowly(
        `http://127.0.0.1:${short.port}/v1/messages`,
        JSON.stringify(body),
        { pieces: 3, pauseMs: 200, headers: { authorization: auth(), "idempotency-key": key } },
      );
      expect(answer.httpStatus).toBe(500);
      expect(answer.body).toMatchObject({ status: "server_error" });
      expect(String(answer.body.message)).toContain("still running");
    } finally {
      await short.stop();
    }
  });
});
