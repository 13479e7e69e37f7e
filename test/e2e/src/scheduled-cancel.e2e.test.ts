import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

// Canceling a scheduled message (ADR 0030) through the whole gateway: it is charged when
// accepted, canceled before its sendAt, reported failed `canceled` to its callback, refunded
// by pricing, and never reaches a carrier.
let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  gateway = await startGateway();
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
});

describe("canceling a scheduled message", () => {
  it("when an account cancels a message before its sendAt, it is reported failed canceled, refunded, and never sent", async () => {
    const { pricing, baseUrl } = gateway;
    const account = await pricing.accounts.createAccount({ name: "cancel", credits: "1" });
    const headers = {
      authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
      "content-type": "application/json",
    };
    const balance = async () => {
      const res = await fetch(`${baseUrl}/v1/balance`, { headers });
      return ((await res.json()) as { balance: number }).balance;
    };
    // Soon enough to see that nothing goes out once it is due.
    const sendAt = new Date(Date.now() + 8_000);
    const sent = await fetch(`${baseUrl}/v1/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        to: "+37256789045",
        from: "MyApp",
        text: "See you tomorrow",
        sendAt: sendAt.toISOString(),
        callbackUrl: receiver.url("/cancel"),
      }),
    });
    expect(sent.status).toBe(202);
    const { messageId } = (await sent.json()) as { messageId: string };
    await waitFor(async () => (await balance()) === 0.958, { what: "the charge" });
    await waitFor(
      async () => (await fetch(`${baseUrl}/v1/messages/${messageId}`, { headers })).ok,
      { what: "the message's record" },
    );

    const canceled = await waitFor(
      async () => {
        const res = await fetch(`${baseUrl}/v1/messages/${messageId}/cancel`, {
          method: "POST",
          headers,
        });
        // Until routing holds it (a moment after its acceptance): 500, retry.
        return res.status === 500 ? undefined : res;
      },
      { timeoutMs: 30_000, what: "the cancel" },
    );
    expect(canceled.status).toBe(202);

    const report = await waitFor(
      () => receiver.forMessage(messageId).find((r) => r.json.status === "failed"),
      { timeoutMs: 30_000, what: "the failed report" },
    );
    expect(report.json).toMatchObject({ messageId, status: "failed", errorCode: "canceled" });
    await waitFor(async () => (await balance()) === 1, { timeoutMs: 30_000, what: "the refund" });
    const view = await fetch(`${baseUrl}/v1/messages/${messageId}`, { headers });
    expect(await view.json()).toMatchObject({ status: "failed", errorCode: "canceled" });
    // Past its sendAt and the schedule's next look: nothing reached the carrier.
    await new Promise((resolve) => setTimeout(resolve, sendAt.getTime() + 3_000 - Date.now()));
    expect(gateway.simulator.submissions().filter((s) => s.text === "See you tomorrow")).toEqual(
      [],
    );
    expect(receiver.forMessage(messageId).map((r) => r.json.status)).toEqual(["failed"]);
  });
});
