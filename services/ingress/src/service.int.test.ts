import { createLogger } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { loadIngressConfig } from "./config.ts";
import { startIngress } from "./service.ts";
import { call, type Harness, NUMBERS, query, startHarness } from "./testing/harness.ts";

const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness(env);
  harnesses.push(h);
  return h;
}

const sendTo = (h: Harness, toNumber: string) =>
  `${h.base}/?${query({
    hash: h.account.hash,
    token: h.account.token,
    toNumber,
    fromNumber: "MyApp",
    text: "hi",
  })}`;

describe("the running service", () => {
  it("when started, it is ready; when stopping with a request in flight, the request finishes first", async () => {
    const h = await harness();
    expect(h.ingress.ready()).toBe(true);
    const inFlight = call(sendTo(h, NUMBERS.slow));
    await waitFor(() => h.authorizeRequests.some((r) => r.to === NUMBERS.slow));
    const stopped = h.ingress.stop();
    expect(h.ingress.ready()).toBe(false);
    const answer = await inFlight;
    await stopped;
    expect(answer.body.status).toBe("success");
    await waitFor(() => h.accepted.get(String(answer.body.messageId)));
    await expect(fetch(`${h.base}/v1/balance`)).rejects.toThrow();
    await expect(fetch(`${h.health}/healthz`)).rejects.toThrow();
  });

  it("when a request outlives the ceiling, it answers server_error and nothing is accepted", async () => {
    const h = await harness({ REQUEST_TIMEOUT_MS: "150", AUTHORIZE_TIMEOUT_MS: "2000" });
    const before = await h.streamMessages();
    const answer = await call(sendTo(h, NUMBERS.slow));
    expect(answer.httpStatus).toBe(500);
    expect(answer.body).toEqual({ status: "server_error", message: expect.any(String) });
    // Pricing answers (charged) 300 ms after the request, past the deadline; the ingress must
    // not publish then. An absence cannot be awaited: give the late answer time to arrive.
    await waitFor(() => h.authorizeRequests.some((r) => r.to === NUMBERS.slow));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await h.streamMessages()).toBe(before);
  });

  it("when the accepted event cannot be stored, it answers server_error, never success", async () => {
    const h = await harness();
    await h.messaging.nats.jsm.streams.delete(h.messaging.subjects.stream);
    const answer = await call(sendTo(h, NUMBERS.charged));
    expect(answer.httpStatus).toBe(500);
    expect(answer.body).toEqual({ status: "server_error", message: expect.any(String) });
    // Pricing did charge: its sweep refunds a charge that has no accepted event.
    expect(h.authorizeRequests).toHaveLength(1);
  });

  it("when a handler throws (the event store's tables do not exist here), it answers a JSON server_error", async () => {
    // No event store runs against this file's database: the status query's select fails.
    const h = await harness();
    const answer = await call(`${h.base}/v1/messages/msg_01KZZZZZZZZZZZZZZZZZZZZZZZ`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`,
      },
    });
    expect(answer.httpStatus).toBe(500);
    expect(answer.body).toEqual({ status: "server_error", message: expect.any(String) });
    expect(answer.text).not.toMatch(/event_store|relation|at .*\.ts/);
  });

  it("when its database cannot be reached, it does not start", async () => {
    const h = await harness();
    const config = loadIngressConfig({
      ...h.infra.env,
      HTTP_PORT: "0",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/no_such_db_x",
    });
    await expect(startIngress(config, createLogger("ingress-test", "silent"))).rejects.toThrow();
  });
});
