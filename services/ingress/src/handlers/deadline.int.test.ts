import { createLogger, type Database, openDatabase } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIngressConfig } from "../config.ts";
import { type StartedIngress, startIngress } from "../service.ts";
import {
  call,
  type Harness,
  NO_IP_LIMIT,
  NUMBERS,
  query,
  startHarness,
} from "../testing/harness.ts";

/**
 * The request deadline (REQUEST_TIMEOUT_MS) fires while the accepted event's publish is in
 * flight: the event may be stored, so the answer is a lost PubAck's (ADR 0022), 503
 * `outcome_unknown` naming the message, never `server_error` "nothing was accepted". The
 * proxy holds the PubAcks; the publisher waits longer than the deadline.
 */
let h: Harness;
const proxy = () => {
  if (!h.proxy) throw new Error("the harness has no proxy");
  return h.proxy;
};

beforeAll(async () => {
  // The publisher waits longer than the deadline for the PubAck the proxy holds.
  const publishMs = "1500";
  h = await startHarness(
    {
      // Pricing's timeout fires before the deadline ("pricing does not answer" below).
      AUTHORIZE_TIMEOUT_MS: "500",
      REQUEST_TIMEOUT_MS: "600",
      PUBLISH_TIMEOUT_MS: publishMs,
      PUBLISH_RETRY_MS: publishMs,
      ...NO_IP_LIMIT,
    },
    { natsProxy: true },
  );
});
afterAll(async () => {
  await h?.stop();
});

const auth = () =>
  `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`;
const post = (path: string, body: unknown, key?: string, base = h.base) =>
  call(`${base}${path}`, {
    method: "POST",
    headers: {
      authorization: auth(),
      "content-type": "application/json",
      ...(key ? { "idempotency-key": key } : {}),
    },
    body: JSON.stringify(body),
  });
const message = { to: NUMBERS.charged, from: "MyApp", text: "Hello, deadline" };

/** Sends while the PubAcks are lost, and passes them again once the answer is in. */
async function withAcksLost<T>(send: () => Promise<T>): Promise<T> {
  proxy().dropPubAcks(true);
  try {
    return await send();
  } finally {
    proxy().dropPubAcks(false);
  }
}

describe("the request deadline while the accepted event is being published (ADR 0022)", () => {
  it("when the deadline fires before the publish's outcome is known, POST /v1/messages answers 503 outcome_unknown naming the message, with Retry-After; the retry with the same key answers 202 under it", async () => {
    const lost = await withAcksLost(() => post("/v1/messages", message, "deadline-1"));

    expect(lost.httpStatus).toBe(503);
    expect(lost.body).toMatchObject({ status: "outcome_unknown", messageId: expect.any(String) });
    expect(lost.headers.get("retry-after")).toBe("5");
    const messageId = String(lost.body.messageId);
    await waitFor(() => h.accepted.has(messageId), { what: "the accepted event" });

    // Once the first request's publish has ended, the key answers what really happened.
    let retried = await post("/v1/messages", message, "deadline-1");
    await waitFor(
      async () => {
        retried = await post("/v1/messages", message, "deadline-1");
        return retried.httpStatus === 202;
      },
      { what: "the retry's 202" },
    );
    expect(retried.body).toMatchObject({ messageId, status: "queued" });
  });

  it("when the deadline fires during the publish on the compatible endpoint, it answers 503 outcome_unknown with the messageId", async () => {
    const lost = await withAcksLost(() =>
      call(
        `${h.base}/?${query({
          hash: h.account.hash,
          token: h.account.token,
          toNumber: NUMBERS.charged,
          fromNumber: "MyApp",
          text: "Hello, compatible deadline",
        })}`,
      ),
    );
    expect(lost.httpStatus).toBe(503);
    expect(lost.body).toMatchObject({ status: "outcome_unknown", messageId: expect.any(String) });
    expect(lost.headers.get("retry-after")).toBe("5");
    await waitFor(() => h.accepted.has(String(lost.body.messageId)), { what: "the stored event" });
  });

  it("when the deadline fires during a batch's publish, each charged item is outcome_unknown with its messageId and a refused item keeps its refusal", async () => {
    const lost = await withAcksLost(() =>
      post("/v1/messages/batch", {
        messages: [message, { ...message, to: NUMBERS.lowBalance }],
      }),
    );
    expect(lost.httpStatus).toBe(200);
    expect(lost.body).toMatchObject({
      accepted: 0,
      refused: 2,
      results: [
        { index: 0, status: "outcome_unknown", messageId: expect.any(String) },
        { index: 1, status: "low_balance" },
      ],
    });
  });

  it("when pricing does not answer, nothing was published: the answer is server_error as before", async () => {
    const late = await post("/v1/messages", { ...message, to: NUMBERS.noAnswer });
    expect(late.httpStatus).toBe(500);
    expect(late.body).toMatchObject({ status: "server_error" });
  });
});

/**
 * A second ingress on the same proxy whose publisher tries again after the deadline: the
 * first attempt's PubAck is lost, the deadline answers 503, the second attempt's PubAck
 * (JetStream's duplicate) arrives, and the event is known stored.
 */
describe("when the PubAck arrives after the deadline answered (ADR 0022, amendment)", () => {
  let late: StartedIngress;
  let lateBase: string;
  let database: Database<unknown>;
  const logged: string[] = [];

  beforeAll(async () => {
    late = await startIngress(
      loadIngressConfig({
        ...h.infra.env,
        NATS_URL: proxy().url,
        HTTP_PORT: "0",
        HEALTH_PORT: "0",
        AUTHORIZE_TIMEOUT_MS: "500",
        ...NO_IP_LIMIT,
        REQUEST_TIMEOUT_MS: "600",
        PUBLISH_TIMEOUT_MS: "1000",
        PUBLISH_RETRY_MS: "3000",
      }),
      createLogger("ingress-test-late", "info", { write: (line: string) => logged.push(line) }),
    );
    lateBase = `http://127.0.0.1:${late.port}`;
    database = openDatabase(h.infra.env.DATABASE_URL as string, "ingress", { max: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await late?.stop();
  });

  const stateOf = async (key: string) => {
    const [row] = await database.sql<{ state: string }[]>`
      select state from ingress.idempotency_keys where key = ${key}`;
    return row?.state;
  };

  it("when the publish comes back stored after the 503, the key keeps the 202 and the retry with it gets that 202 replayed under the same messageId, with nothing failing", async () => {
    const key = "deadline-late-ack";
    const lost = await withAcksLost(() => post("/v1/messages", message, key, lateBase));
    expect(lost.httpStatus).toBe(503);
    expect(lost.body).toMatchObject({ status: "outcome_unknown" });
    const messageId = String(lost.body.messageId);

    // The second attempt's PubAck comes about 1.1 s after the request began.
    await waitFor(async () => (await stateOf(key)) === "done", {
      timeoutMs: 5_000,
      what: "the key to hold the first request's answer",
    });
    const retried = await post("/v1/messages", message, key, lateBase);

    expect(retried.httpStatus).toBe(202);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.headers.get("location")).toBe(`/v1/messages/${messageId}`);
    expect(retried.body).toMatchObject({ messageId, status: "queued" });
    await waitFor(() => h.accepted.has(messageId), { what: "the stored event" });
    expect(logged.filter((line) => line.includes("request failed"))).toEqual([]);
  });
});
