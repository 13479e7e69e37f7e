import { type ServiceProcess, startServiceProcess, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, startHarness, type TestAccount } from "../testing/harness.ts";

/**
 * `POST /v1/messages/{id}/cancel` (ADR 0030) through ingress, the event store and routing, each
 * as its own process under its own NATS user.
 */
let h: Harness;
let eventStore: ServiceProcess;
let routing: ServiceProcess;

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

const auth = (account: TestAccount = h.account) => ({
  authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
});
const cancel = (id: string, account?: TestAccount) =>
  call(`${h.base}/v1/messages/${id}/cancel`, { method: "POST", headers: auth(account) });
const get = (id: string) => call(`${h.base}/v1/messages/${id}`, { headers: auth() });

async function send(sendAt?: Date): Promise<string> {
  const sent = await call(`${h.base}/v1/messages`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({
      to: "+37256789045",
      from: "MyApp",
      text: "Tomorrow's reminder",
      ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
    }),
  });
  expect(sent.httpStatus).toBe(202);
  const id = String(sent.body.messageId);
  await waitFor(async () => (await get(id)).httpStatus === 200, { what: "the message's record" });
  return id;
}

describe("canceling a scheduled message", () => {
  it("when a message waits for its sendAt, cancel answers 202 and it ends failed canceled, never sent; again, the same", async () => {
    const id = await send(new Date(Date.now() + 3_600_000));
    const canceled = await waitFor(async () => {
      const answer = await cancel(id);
      // A moment after acceptance routing may not hold it yet: retry.
      return answer.httpStatus === 500 ? undefined : answer;
    });
    expect(canceled.httpStatus).toBe(202);
    expect(canceled.body).toEqual({ messageId: id, canceled: true });
    const ended = await waitFor(async () => {
      const view = await get(id);
      return view.body.status === "failed" ? view : undefined;
    });
    expect(ended.body).toMatchObject({ status: "failed", errorCode: "canceled" });
    const again = await cancel(id);
    expect(again.httpStatus).toBe(202);
    expect(again.body).toEqual({ messageId: id, canceled: true });
    expect(h.accepted.get(id)).toBeDefined();
  });

  it("when the message was not scheduled, or is another account's, or unknown, it is refused 409 or 404", async () => {
    const now = await send();
    expect(await cancel(now)).toMatchObject({
      httpStatus: 409,
      body: { status: "message_not_cancelable", message: expect.stringContaining("not scheduled") },
    });
    const other = await h.putAccount();
    const later = await send(new Date(Date.now() + 3_600_000));
    await waitFor(
      async () => (await call(`${h.base}/v1/balance`, { headers: auth(other) })).httpStatus === 200,
    );
    expect((await cancel(later, other)).httpStatus).toBe(404);
    expect((await cancel("msg_01KZZZZZZZZZZZZZZZZZZZZZZZ")).httpStatus).toBe(404);
    expect((await cancel("not-an-id")).httpStatus).toBe(404);
    expect((await get(later)).body.status).toBe("queued");
  });

  it("when its sendAt came and routing took it to be sent, cancel is refused 409", async () => {
    const sendAt = new Date(Date.now() + 600);
    const id = await send(sendAt);
    // Routing looks every 200 ms: well past its sendAt, the order is out (no connector runs
    // here, so the message stays queued).
    await new Promise((resolve) => setTimeout(resolve, sendAt.getTime() + 3_000 - Date.now()));
    expect(await cancel(id)).toMatchObject({
      httpStatus: 409,
      body: { status: "message_not_cancelable" },
    });
  });
});
