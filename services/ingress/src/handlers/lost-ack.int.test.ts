import { type NatsProxy, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type Harness,
  NO_IP_LIMIT,
  NUMBERS,
  query,
  startHarness,
} from "../testing/harness.ts";

/**
 * ADR 0022: ingress reaches NATS through a proxy that can lose JetStream's acknowledgements,
 * so the accepted event is stored while ingress never hears so. Such a send is no failure:
 * it is answered 503 `outcome_unknown` with its messageId, and a retry with the same key
 * sends the same event, which the stream keeps once.
 */
let proxy: NatsProxy;
let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    // Short enough that a lost ack ends the send soon, long enough that the retry's publish,
    // acknowledged, is heard on a machine busy with another test file.
    { PUBLISH_TIMEOUT_MS: "1000", PUBLISH_RETRY_MS: "1000", ...NO_IP_LIMIT },
    { natsProxy: true },
  );
  proxy = h.proxy as NatsProxy;
});
afterAll(async () => {
  await h?.stop();
});

const auth = () =>
  `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`;
const send = (key: string, to: string = NUMBERS.charged) =>
  call(`${h.base}/v1/messages`, {
    method: "POST",
    headers: { authorization: auth(), "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ to, from: "MyApp", text: "Hello, lost ack" }),
  });

describe("a lost publish acknowledgement (ADR 0022)", () => {
  it("when the ack of a stored accepted event is lost, POST /v1/messages answers 503 outcome_unknown naming the message; the retry with the same key answers 202 under it, stored once", async () => {
    const before = await h.streamMessages();
    proxy.dropPubAcks(true);
    const lost = await send("lost-ack-1");
    proxy.dropPubAcks(false);

    expect(lost.httpStatus).toBe(503);
    expect(lost.body).toMatchObject({ status: "outcome_unknown", messageId: expect.any(String) });
    expect(lost.headers.get("retry-after")).toBe("5");
    expect(proxy.dropped()).toBeGreaterThan(0);
    const messageId = String(lost.body.messageId);
    // It was stored all along: a "not accepted" answer would have been false.
    await waitFor(() => h.accepted.has(messageId), { what: "the accepted event" });

    const retried = await send("lost-ack-1");
    expect(retried.httpStatus).toBe(202);
    expect(retried.body).toMatchObject({ messageId, status: "queued" });
    expect(await h.streamMessages()).toBe(before + 1);
  });

  it("when the ack is lost on the compatible endpoint, it answers 503 outcome_unknown with the messageId to look up", async () => {
    proxy.dropPubAcks(true);
    const lost = await call(
      `${h.base}/?${query({
        hash: h.account.hash,
        token: h.account.token,
        toNumber: NUMBERS.charged,
        fromNumber: "MyApp",
        text: "Hello, compatible",
      })}`,
    );
    proxy.dropPubAcks(false);
    expect(lost.httpStatus).toBe(503);
    expect(lost.body).toMatchObject({ status: "outcome_unknown", messageId: expect.any(String) });
    await waitFor(() => h.accepted.has(String(lost.body.messageId)), { what: "the stored event" });
  });

  it("when the charge's publishBy has passed (a replay after its window), nothing is published and the answer is outcome_unknown", async () => {
    const before = await h.streamMessages();
    const late = await send("window-closed-1", NUMBERS.windowClosed);
    expect(late.httpStatus).toBe(503);
    expect(late.body).toMatchObject({ status: "outcome_unknown" });
    expect(await h.streamMessages()).toBe(before);
  });
});
