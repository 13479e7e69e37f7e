import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ERROR_CODES } from "@smsgw/contracts";
import { textOf, Visitor, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * What customers see and what we keep (api.md section 7, ADR 0017), on the whole stack
 * through the simulator: the API's and the console's trails show no carrier, carrier id or
 * routing candidates, the operator's command shows all of it, errorCodes are documented
 * ones, and no log line of any service, at any level, holds a number or a text we sent.
 */

/** Every line every service logged, at trace level and up. */
const logLines: string[] = [];
const logs = {
  level: "trace",
  destination: {
    write(chunk: string) {
      logLines.push(...chunk.split("\n").filter((line) => line !== ""));
    },
  },
};

let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let account: { accountId: string; hash: string; token: string };

/** What was sent, to look for where it must not be. */
const sent: Array<{ to: string; text: string; messageId: string }> = [];

beforeAll(async () => {
  // Both carriers refuse +3725551… as an invalid destination (ESME_RINVDSTADR, permanent).
  const refuse = [{ prefix: "+3725551", stat: "DELIVRD", err: "000", commandStatus: 0x0b }];
  // Estonia on the simulators (sim-a first); Latvia only on a carrier that is not a simulator,
  // so a test account's message there has no route.
  gateway = await startGateway(
    { ROUTES: "+372=sim-a:300|sim-b:500,+371=live:300" },
    { console: true, logs, simOutcomes: { "sim-a": refuse, "sim-b": refuse } },
  );
  receiver = await startWebhookReceiver();
  account = await gateway.pricing.accounts.createAccount({ name: "e2e-public", credits: "10" });
});

afterAll(async () => {
  await receiver?.close();
  await gateway?.stop();
});

const basic = (a: { hash: string; token: string }) =>
  `Basic ${Buffer.from(`${a.hash}:${a.token}`).toString("base64")}`;

async function getJson(path: string, who: { hash: string; token: string } = account) {
  const res = await fetch(`${gateway.baseUrl}${path}`, { headers: { authorization: basic(who) } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function sendApi(to: string, text: string) {
  const res = await fetch(`${gateway.baseUrl}/v1/messages`, {
    method: "POST",
    headers: { authorization: basic(account), "content-type": "application/json" },
    body: JSON.stringify({ to, from: "MyApp", text, callbackUrl: receiver.url("/dlr") }),
  });
  expect(res.status).toBe(202);
  const { messageId } = (await res.json()) as { messageId: string };
  sent.push({ to, text, messageId });
  return messageId;
}

async function finalOf(messageId: string, who: { hash: string; token: string } = account) {
  return waitFor(
    async () => {
      const message = await getJson(`/v1/messages/${messageId}`, who);
      return ["delivered", "undelivered", "expired", "failed"].includes(String(message.status))
        ? message
        : undefined;
    },
    { timeoutMs: 20_000, what: `a final status for ${messageId}` },
  );
}

/** The trail once it holds the final receipt and the webhook attempts of both reports. */
async function settledTrail(messageId: string) {
  return waitFor(
    async () => {
      const page = await getJson(`/v1/messages/${messageId}/events`);
      const events = page.events as Array<{ type: string; data: Record<string, unknown> }>;
      const attempts = events.filter((e) => e.type === "WebhookAttempted").length;
      return events.some((e) => e.type === "ReceiptReceived") && attempts >= 2 ? page : undefined;
    },
    { timeoutMs: 20_000, what: `the settled trail of ${messageId}` },
  );
}

/** The carrier side of a message, as the simulator saw it. */
function carrierSide(to: string) {
  const submission = gateway.simulator.submissions().find((s) => `+${s.destination}` === to);
  if (!submission) throw new Error(`no submission to ${to}`);
  return submission;
}

function expectNoSupplyChain(
  shown: string,
  carrier: { carrierId: string; carrierMessageId: string },
) {
  for (const secret of [
    carrier.carrierId,
    "sim-a",
    "sim-b",
    carrier.carrierMessageId,
    "carrierId",
    "carrierMessageId",
    "candidates",
    "matchedPrefix",
    "commandStatus",
    // The receipt's stat word stays in its event id (SMPP 3.4's own vocabulary, the one our
    // SMPP receipts to customers use), not in the data.
    '"stat"',
  ]) {
    expect(shown, `"${secret}" is shown`).not.toContain(secret);
  }
}

const cli = fileURLToPath(new URL("../../../services/event-store/src/cli.ts", import.meta.url));

async function operatorTrail(messageId: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, "messages", "trail", messageId, "--json"],
    { env: { ...process.env, ...gateway.infra.env } },
  );
  return stdout;
}

describe("the public trail over HTTP", () => {
  it("when a message went through the simulator, the API's trail shows each step without the carrier, its ids or routing's candidates; the operator's command shows them", async () => {
    const messageId = await sendApi("+37256781234", "Your login code is 482913");
    expect(await finalOf(messageId)).toMatchObject({ status: "delivered", errorCode: null });
    const page = await settledTrail(messageId);
    const carrier = carrierSide("+37256781234");
    const events = page.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["MessageAccepted", "MessageSubmitted", "ReceiptReceived"]),
    );
    expect(events.find((e) => e.type === "MessageSubmitted")?.data).toEqual({
      attempt: 1,
      parts: 1,
    });
    expect(events.find((e) => e.type === "ReceiptReceived")?.data).toEqual({
      part: 1,
      status: "delivered",
      errorCode: null,
    });
    expectNoSupplyChain(JSON.stringify(page), carrier);
    // One event a page, each page asked with the cursor the one before handed out: the same
    // trail, in the same order, and the last page says there is no next one.
    const paged: unknown[] = [];
    let cursor: unknown = "";
    for (let pages = 0; typeof cursor === "string" && pages <= events.length; pages++) {
      const after = cursor === "" ? "" : `&after=${encodeURIComponent(cursor)}`;
      const one = await getJson(`/v1/messages/${messageId}/events?limit=1${after}`);
      paged.push(...(one.events as unknown[]));
      cursor = one.nextCursor;
    }
    expect(cursor).toBeNull();
    expect(paged).toEqual(page.events);

    const full = await operatorTrail(messageId);
    for (const kept of [carrier.carrierId, carrier.carrierMessageId, "candidates", "DELIVRD"]) {
      expect(full).toContain(kept);
    }
  });

  it("when the carrier cannot deliver, the resource, the webhook and the trail say a documented errorCode, and only the operator sees the carrier's err", async () => {
    const messageId = await sendApi("+37255501234", "Nobody home 771204");
    const final = await finalOf(messageId);
    expect(final).toMatchObject({ status: "undelivered", errorCode: "unknown_subscriber" });
    const webhook = await waitFor(() =>
      receiver.forMessage(messageId).find((w) => w.json.status === "undelivered"),
    );
    expect(webhook.json.errorCode).toBe("unknown_subscriber");
    const page = await settledTrail(messageId);
    const codes = (page.events as Array<{ data: Record<string, unknown> }>)
      .map((e) => e.data.errorCode)
      .filter((code) => code !== undefined && code !== null);
    expect(codes).toEqual(["unknown_subscriber"]);
    expect(codes.every((code) => (ERROR_CODES as readonly unknown[]).includes(code))).toBe(true);
    expectNoSupplyChain(JSON.stringify(page), carrierSide("+37255501234"));
    expect(JSON.stringify(page)).not.toContain('"001"');

    const full = JSON.parse(await operatorTrail(messageId)) as {
      events: Array<{ type: string; data: Record<string, unknown> }>;
    };
    expect(full.events.find((e) => e.type === "ReceiptReceived")?.data).toMatchObject({
      stat: "UNDELIV",
      errorCode: "001",
      publicErrorCode: "unknown_subscriber",
    });
  });

  it("when the carrier refuses the number, the message fails with invalid_number everywhere the customer looks, and the operator sees the SMPP status", async () => {
    const messageId = await sendApi("+37255511234", "Refused text 640028");
    expect(await finalOf(messageId)).toMatchObject({
      status: "failed",
      errorCode: "invalid_number",
    });
    const webhook = await waitFor(() =>
      receiver.forMessage(messageId).find((w) => w.json.status === "failed"),
    );
    expect(webhook.json.errorCode).toBe("invalid_number");
    const page = await waitFor(async () => {
      const found = await getJson(`/v1/messages/${messageId}/events`);
      const types = (found.events as Array<{ type: string }>).map((e) => e.type);
      return types.includes("MessageFailed") ? found : undefined;
    });
    const events = page.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(events.find((e) => e.type === "SubmitFailed")?.data).toEqual({
      attempt: 1,
      retryable: false,
      errorCode: "invalid_number",
    });
    expect(events.find((e) => e.type === "MessageFailed")?.data).toEqual({
      reason: "submit_rejected",
      errorCode: "invalid_number",
    });
    const shown = JSON.stringify(page);
    for (const secret of ["sim-a", "sim-b", "0x0000000b", "commandStatus", "detail", "failover"]) {
      expect(shown).not.toContain(secret);
    }
    const full = await operatorTrail(messageId);
    expect(full).toContain("0x0000000b");
    expect(full).toContain('"commandStatus": 11');
  });

  it("when no carrier may take the message (a test account, a real carrier's country), it fails with no_route", async () => {
    const messageId = await sendApi("+37120001234", "Nowhere to go 918273");
    expect(await finalOf(messageId)).toMatchObject({ status: "failed", errorCode: "no_route" });
    const page = await waitFor(async () => {
      const found = await getJson(`/v1/messages/${messageId}/events`);
      const events = found.events as Array<{ type: string; data: Record<string, unknown> }>;
      return events.find((e) => e.type === "MessageFailed");
    });
    expect(page.data).toEqual({ reason: "no_route", errorCode: "no_route" });
  });

  it("when a customer sends from the console, its message page's timeline shows no carrier, carrier id or candidates", async () => {
    const base = gateway.consoleUrl;
    if (!base) throw new Error("the console is not running");
    const visitor = new Visitor(base);
    await visitor.get("/signup");
    const signup = await visitor.post("/signup", {
      email: "public-view@example.com",
      password: "correct horse battery",
    });
    expect(signup.status).toBe(201);
    const owner = { hash: textOf(signup.text, "hash"), token: textOf(signup.text, "token") };
    await waitFor(async () => {
      const res = await fetch(`${gateway.baseUrl}/v1/balance`, {
        headers: { authorization: basic(owner) },
      });
      await res.arrayBuffer();
      return res.status === 200;
    });
    await visitor.get("/send");
    const to = "+37256785678";
    const text = "Console code 305517";
    const form = await visitor.post("/send", { to, from: "MyApp", text, token: owner.token });
    expect(form.status).toBe(200);
    const messageId = /msg_[0-9A-Za-z]{20,}/.exec(form.text)?.[0];
    if (!messageId) throw new Error("the send page shows no message id");
    sent.push({ to, text, messageId });
    await finalOf(messageId, owner);
    const page = await waitFor(async () => {
      const shown = await visitor.get(`/messages/${messageId}`);
      return shown.text.includes("Receipt for part 1") ? shown : undefined;
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Submitted to the network");
    expectNoSupplyChain(page.text, carrierSide(to));
    expect(await operatorTrail(messageId)).toContain(carrierSide(to).carrierMessageId);
  });
});

describe("no number or text in the logs", () => {
  it("when messages went end to end (API, console, simulator, receipts, webhooks), no service logged a number or a text it sent, at any level", () => {
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(logLines.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const { to, text } of sent) {
      // The number as E.164 and as SMPP writes it (no +); the text whole and its last word.
      const secrets = [to, to.slice(1), text, text.split(" ").at(-1) ?? text];
      for (const line of logLines) {
        const found = secrets.find((secret) => line.includes(secret));
        if (found) leaks.push(`${found}: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
