import { createMessageReader } from "@smsgw/message-read-model";
import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

// Two carriers for one country, sim-a cheaper: routing prefers it. When sim-a cannot take
// the message, the message must still end delivered through sim-b, charged once, with no
// failure and no refund — through the real connector, simulator, routing and pricing.
const ROUTES = "+372=sim-a:300|sim-b:500";

let gateway: Gateway | undefined;
let cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  await gateway?.stop();
  gateway = undefined;
});

async function sendOne(gw: Gateway, toNumber: string) {
  const account = await gw.pricing.accounts.createAccount({
    name: `failover-${toNumber.slice(1)}`,
    credits: "10",
  });
  const receiver = await startWebhookReceiver();
  cleanup.push(() => receiver.close());
  const query = new URLSearchParams({
    hash: account.hash,
    token: account.token,
    toNumber,
    fromNumber: "MyApp",
    text: "failover",
    callbackUrl: receiver.url("/dlr"),
  });
  const body = (await (await fetch(`${gw.baseUrl}/?${query}`)).json()) as {
    status: string;
    messageId: string;
  };
  expect(body.status).toBe("success");
  const final = await waitFor(
    () => receiver.forMessage(body.messageId).find((w) => w.json.status !== "sent"),
    { timeoutMs: 30_000, what: "a final report" },
  );
  const sql = postgres(gw.infra.database.url, { max: 1, onnotice: () => undefined });
  cleanup.push(() => sql.end());
  const page = await createMessageReader(sql).listEvents(body.messageId, account.accountId, {
    limit: 100,
  });
  const charges =
    await sql`select count(*)::int as n from pricing.ledger where kind = 'charge' and message_id = ${body.messageId}`;
  const refunds =
    await sql`select count(*)::int as n from pricing.ledger where kind = 'refund' and message_id = ${body.messageId}`;
  return {
    messageId: body.messageId,
    final: final.json,
    events: page?.events ?? [],
    charges: charges[0]?.n,
    refunds: refunds[0]?.n,
  };
}

describe("failover between carriers of one country", () => {
  it("when the cheaper carrier's binds are down, the message is delivered by the other, charged once", async () => {
    gateway = await startGateway(
      { ROUTES },
      {
        connectorCarriers: (carriers) =>
          carriers.map((c) => (c.id === "sim-a" ? { ...c, password: "wrong" } : c)),
      },
    );
    const result = await sendOne(gateway, "+37256789101");
    expect(result.final.status).toBe("delivered");
    const submitted = gateway.simulator
      .submissions()
      .filter((s) => s.destination === "37256789101");
    expect(submitted.map((s) => s.carrierId)).toEqual(["sim-b"]);
    expect(result.charges).toBe(1);
    expect(result.refunds).toBe(0);
    expect(result.events.some((e) => e.type === "MessageFailed")).toBe(false);
  });

  it("when the cheaper carrier refuses the submit with a retryable error, the next attempt goes to the other", async () => {
    gateway = await startGateway(
      { ROUTES },
      {
        simOutcomes: {
          "sim-a": [{ prefix: "+3725678", stat: "DELIVRD", err: "000", commandStatus: 0x08 }],
        },
      },
    );
    // Routing ranks a carrier whose binds are not up yet last: wait until it sees both up,
    // so that the first attempt is sim-a's by choice, not by start-up timing.
    const routing = gateway.routing;
    await waitFor(() => ["sim-a", "sim-b"].every((id) => routing.view().health.get(id) === "up"), {
      what: "both carriers healthy in routing's view",
    });
    const result = await sendOne(gateway, "+37256789102");
    expect(result.final.status).toBe("delivered");
    // Routing's orders are not logged: the trail says each attempt's carrier in its outcome,
    // and MessageSubmitted says why routing chose the carrier.
    const attempts = result.events
      .filter((e) => e.type === "SubmitFailed" || e.type === "MessageSubmitted")
      .map((e) => {
        const data = e.data as { carrierId: string; attempt: number };
        return [e.type, data.carrierId, data.attempt];
      });
    expect(attempts).toEqual([
      ["SubmitFailed", "sim-a", 1],
      ["MessageSubmitted", "sim-b", 2],
    ]);
    const submitted = result.events.find((e) => e.type === "MessageSubmitted");
    expect(submitted?.data).toMatchObject({
      reason: { matchedPrefix: "+372", winner: "sim-b", considered: [{ excluded: "tried" }, {}] },
    });
    expect(result.events.some((e) => e.type === "MessageRouted")).toBe(false);
    expect(result.charges).toBe(1);
    expect(result.refunds).toBe(0);
  });
});
