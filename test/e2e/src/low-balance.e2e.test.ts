import { waitFor } from "@smsgw/testkit";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

// Low-balance warnings (issue 22, ADR 0020) through the whole gateway: messages sent over
// HTTP are charged by pricing; the charge that takes the balance below the threshold writes
// one AccountBalanceLow, and the dispatcher POSTs one signed "balance" webhook to the
// account's default callback URL. Once per crossing: re-armed by a top-up above it.
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

describe("low-balance warnings", () => {
  it("when a charge crosses the threshold, one signed balance webhook goes out; a second charge below sends none; a top-up above and a new crossing send again", async () => {
    const { pricing, baseUrl } = gateway;
    // 0.10 EUR; an EE message costs 0.042 EUR; the threshold is 0.09 EUR.
    const account = await pricing.accounts.createAccount({ name: "low-balance", credits: "0.1" });
    await pricing.accounts.setDefaultCallbackUrl(account.accountId, receiver.url("/hooks"));
    await pricing.accounts.setLowBalanceThreshold(account.accountId, "0.09", {
      actor: "cli:test",
      ip: null,
    });
    const basic = `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`;
    const send = async () => {
      const res = await fetch(`${baseUrl}/v1/messages`, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/json" },
        body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "hello" }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { messageId: string }).messageId;
    };
    const balanceHooks = () => receiver.received.filter((r) => r.json.type === "balance");
    const finalReport = (messageId: string) =>
      waitFor(() => receiver.forMessage(messageId).find((r) => r.json.status === "delivered"), {
        timeoutMs: 30_000,
        what: `the final report of ${messageId}`,
      });

    // 1000 -> 580 units: below 900, from above it.
    await finalReport(await send());
    const [first] = await waitFor(() => (balanceHooks().length > 0 ? balanceHooks() : undefined), {
      timeoutMs: 30_000,
      what: "the first balance webhook",
    });
    const verified = new Webhook(account.webhookSecret).verify(
      first?.body ?? "",
      first?.headers as Record<string, string>,
    );
    expect(verified).toEqual({
      type: "balance",
      balance: 0.058,
      currency: "EUR",
      threshold: 0.09,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    // 580 -> 160: below already, so no second warning (its report arrived: the charge did too).
    await finalReport(await send());
    expect(balanceHooks()).toHaveLength(1);

    // A top-up above re-arms: 160 -> 1160, and 1160 -> 740 crosses again.
    await pricing.accounts.topUp(account.accountId, "0.1", "cli:test");
    await finalReport(await send());
    await waitFor(() => balanceHooks().length === 2 || undefined, {
      timeoutMs: 30_000,
      what: "the second balance webhook",
    });
    const second = balanceHooks()[1];
    expect(
      new Webhook(account.webhookSecret).verify(
        second?.body ?? "",
        second?.headers as Record<string, string>,
      ),
    ).toMatchObject({ type: "balance", balance: 0.074, threshold: 0.09 });
    expect(second?.headers["webhook-id"]).not.toBe(first?.headers["webhook-id"]);
    expect(balanceHooks()).toHaveLength(2);
  });
});
