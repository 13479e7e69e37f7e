import { subjects as subjectsFor } from "@smsgw/contracts";
import { BaseEnv, connectNats, createLogger, loadConfig, type Nats } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capacityFigures } from "../../manifests/src/capacity.ts";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * What one delivered SMS costs the event stream, measured: messages sent through the real
 * API with a callback, followed to their final webhook, and the stream's stored bytes
 * (JetStream's own count, record overhead included) divided by the messages. The runbook's
 * capacity planning and the default STREAM_MAX_BYTES are sized on the figure written in
 * docs/runbook.md ("bytes per message"): this fails when the flow starts storing more.
 */
const MESSAGES = 40;
// A typical one-part text (the text travels once, in the accepted event).
const TEXT = "Your verification code is 482913. It expires in 10 minutes. Do not share it.";

let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let nats: Nats;

beforeAll(async () => {
  gateway = await startGateway();
  receiver = await startWebhookReceiver();
  // With the gateway's credentials when it runs under the permission file (TEST_NATS_AUTH).
  nats = await connectNats(
    loadConfig(BaseEnv, gateway.infra.env),
    "capacity",
    createLogger("t", "silent"),
  );
});
afterAll(async () => {
  await nats?.nc.close();
  await receiver?.close();
  await gateway?.stop();
});

describe("the event stream's bytes per message", () => {
  it("when messages are delivered with a callback, the stream stores no more per message than the runbook plans for", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "capacity",
      credits: "10",
    });
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i += 1) {
      const query = new URLSearchParams({
        hash: account.hash,
        token: account.token,
        toNumber: `+3725678${String(9000 + i)}`,
        fromNumber: "MyApp",
        text: TEXT,
        callbackUrl: receiver.url("/dlr"),
      });
      const body = (await (await fetch(`${gateway.baseUrl}/?${query}`)).json()) as {
        status: string;
        messageId: string;
      };
      expect(body.status).toBe("success");
      ids.push(body.messageId);
    }
    await waitFor(
      () => ids.every((id) => receiver.forMessage(id).some((w) => w.json.status === "delivered")),
      { timeoutMs: 30_000, what: "every message's delivered webhook" },
    );
    // Settled: nothing more is appended for a second (the dispatcher's attempts, in batches).
    const stream = subjectsFor(gateway.infra.prefix).stream;
    let last = -1;
    const state = await waitFor(
      async () => {
        const info = await nats.jsm.streams.info(stream);
        if (info.state.bytes === last) return info.state;
        last = info.state.bytes;
        await new Promise((r) => setTimeout(r, 1_000));
        return undefined;
      },
      { timeoutMs: 20_000, what: "the stream to settle" },
    );
    const perMessage = state.bytes / MESSAGES;
    console.info(
      `stream ${stream}: ${state.messages} stored messages, ${state.bytes} bytes for ${MESSAGES} SMS: ` +
        `${Math.round(perMessage)} bytes and ${(state.messages / MESSAGES).toFixed(1)} stored messages per SMS`,
    );
    expect(state.messages).toBeGreaterThanOrEqual(MESSAGES);
    expect(perMessage).toBeLessThanOrEqual(capacityFigures().bytesPerMessage);
  });
});
