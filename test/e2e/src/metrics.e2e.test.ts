import { join } from "node:path";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Started, start, stop, waitReady } from "../../manifests/src/processes.ts";
import { has, parsePrometheusText, type Sample, total } from "./prometheus-text.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * Every service as its own process (`node src/main.ts`, as its image runs it), so each
 * /metrics shows that service's registry alone. Each endpoint is scraped before and after
 * messages go through, and the series the dashboards and alerts use must have moved.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");
const ADMIN_TOKEN = "metrics-test-admin-token";
const MESSAGES = 3;

let infra: TestInfra;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const running: Started[] = [];
const metricsUrl = new Map<string, string>();
let ingressUrl = "";
let adminUrl = "";

async function run(name: string, env: Record<string, string>) {
  // A free port may be taken by another test file between the look and the bind: then the
  // service exits at once (EADDRINUSE) and is started again on another.
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    const p = start(name, process.execPath, ["src/main.ts"], join(ROOT, "services", name), {
      ...infra.env,
      LOG_LEVEL: "info",
      ...env,
      HEALTH_PORT: String(port),
    });
    running.push(p);
    try {
      await waitReady(p, `http://127.0.0.1:${port}/readyz`);
    } catch (error) {
      if (tries < 3 && /EADDRINUSE/.test(String(error))) continue;
      throw error;
    }
    metricsUrl.set(name, `http://127.0.0.1:${port}/metrics`);
    return { p, port };
  }
}

async function scrape(name: string): Promise<Sample[]> {
  const res = await fetch(metricsUrl.get(name) ?? "");
  expect(res.status, name).toBe(200);
  expect(res.headers.get("content-type"), name).toMatch(/^text\/plain/);
  return parsePrometheusText(await res.text());
}

async function scrapeAll(): Promise<Record<string, Sample[]>> {
  const names = [...metricsUrl.keys()];
  const all = await Promise.all(names.map(scrape));
  return Object.fromEntries(names.map((n, i) => [n, all[i] ?? []]));
}

beforeAll(async () => {
  infra = await createTestInfra();
  receiver = await startWebhookReceiver();
  const simPorts = { "sim-a": await freePort(), "sim-b": await freePort() };
  await run("smsc-simulator", {
    SIM_CARRIERS: JSON.stringify([
      { id: "sim-a", port: simPorts["sim-a"], idBase: "hex", receiptDelayMs: 20 },
      { id: "sim-b", port: simPorts["sim-b"], idBase: "decimal", receiptDelayMs: 20 },
    ]),
  });
  const adminPort = await freePort();
  adminUrl = `http://127.0.0.1:${adminPort}`;
  const carriers = Object.entries(simPorts).map(([id, port]) => ({
    id,
    host: "127.0.0.1",
    port,
    password: "secret",
    idBase: id === "sim-a" ? "hex" : "decimal",
    simulated: true,
  }));
  const [, , , connector] = await Promise.all([
    run("event-store", {}),
    run("pricing", { ADMIN_TOKEN, ADMIN_PORT: String(adminPort) }),
    run("routing", {}),
    run("carrier-connector", {
      CARRIERS: JSON.stringify(carriers),
      ADMIN_PORT: String(await freePort()),
    }),
    run("dlr-dispatcher", { WEBHOOK_ALLOW_PRIVATE: "true" }),
  ]);
  // The API on a port of its own: /metrics is on the health port, not the internet's.
  const apiPort = await freePort();
  await run("ingress", { WEBHOOK_ALLOW_PRIVATE: "true", HTTP_PORT: String(apiPort) });
  ingressUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor(() => /"msg":"bound"/.test(connector.p.output()), {
    timeoutMs: 20_000,
    what: "the connector bound to a simulator",
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((p) => stop(p)));
  await receiver?.close();
  await infra?.cleanup();
});

async function createAccount() {
  const res = await fetch(`${adminUrl}/admin/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "metrics-e2e", credits: "10" }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { hash: string; token: string };
}

/** Sends one message and waits for its last webhook; the status it ended in. */
async function sendOne(account: { hash: string; token: string }, n: number): Promise<string> {
  const query = new URLSearchParams({
    ...account,
    toNumber: `+3725678904${n % 10}`,
    fromNumber: "MyApp",
    text: `metrics ${n}`,
    callbackUrl: receiver.url("/dlr"),
  });
  const body = (await (await fetch(`${ingressUrl}/?${query}`)).json()) as {
    status: string;
    messageId: string;
  };
  expect(body.status).toBe("success");
  const final = await waitFor(
    () =>
      receiver
        .forMessage(body.messageId)
        .find((w) => ["delivered", "undelivered", "failed"].includes(String(w.json.status))),
    { timeoutMs: 20_000, what: `a final webhook for ${body.messageId}` },
  );
  return String(final.json.status);
}

describe("every service's /metrics", () => {
  it("when messages go through the gateway, each service's named series move", async () => {
    const before = await scrapeAll();
    expect(Object.keys(before).sort()).toEqual(
      [
        "carrier-connector",
        "dlr-dispatcher",
        "event-store",
        "ingress",
        "pricing",
        "routing",
        "smsc-simulator",
      ].sort(),
    );
    const account = await createAccount();
    // The first message may race routing learning that the carriers are up: send until
    // one is delivered (at most a few), then the rest.
    await waitFor(async () => (await sendOne(account, 0)) === "delivered", {
      timeoutMs: 30_000,
      what: "a first delivered message",
    });
    for (let n = 1; n < MESSAGES; n++) expect(await sendOne(account, n)).toBe("delivered");
    // A status query: its route is the template, never the message's id.
    const status = await fetch(
      `${ingressUrl}/v1/messages/msg_not_there?${new URLSearchParams(account)}`,
    );
    expect(status.status).toBe(404);
    // The consumers' lag is sampled every few seconds, not per message.
    await waitFor(async () => has(await scrape("event-store"), "smsgw_consumer_lag_messages"), {
      timeoutMs: 15_000,
      what: "the event store's consumer lag sample",
    });
    const after = await scrapeAll();

    const moved = (service: string, name: string, where: Record<string, string> = {}) =>
      total(after[service] ?? [], name, where) - total(before[service] ?? [], name, where);

    // ingress: requests by route and status, accept latency, the accepted events.
    const send = { http_route: "/", http_response_status_code: "200" };
    expect(moved("ingress", "smsgw_ingress_requests_total", { ...send, status: "success" })).toBe(
      MESSAGES,
    );
    expect(
      moved("ingress", "smsgw_http_server_request_duration_seconds_count", {
        ...send,
        http_request_method: "GET",
      }),
    ).toBeGreaterThanOrEqual(MESSAGES);
    expect(
      moved("ingress", "smsgw_ingress_accept_duration_seconds_count", { outcome: "accepted" }),
    ).toBeGreaterThanOrEqual(MESSAGES);
    // Accepted events go out alone or, when they meet, together in one envelope (ADR 0009).
    const acceptedPublishes =
      moved("ingress", "smsgw_events_published_total", { kind: "MessageAccepted", result: "ok" }) +
      moved("ingress", "smsgw_events_published_total", { kind: "EventBatch", result: "ok" });
    expect(acceptedPublishes).toBeGreaterThan(0);
    expect(acceptedPublishes).toBeLessThanOrEqual(MESSAGES);
    expect(
      moved("ingress", "smsgw_ingress_requests_total", {
        http_route: "/v1/messages/:id",
        http_response_status_code: "404",
        status: "not_found",
      }),
    ).toBe(1);
    // No message id or raw path became a label.
    for (const sample of after.ingress ?? []) {
      expect(JSON.stringify(sample.labels)).not.toMatch(/msg_|token|hash=/);
    }

    // pricing: authorizations and the ledger (top-up of the new account, the charges).
    expect(moved("pricing", "smsgw_pricing_authorizations_total", { outcome: "charged" })).toBe(
      MESSAGES,
    );
    expect(
      moved("pricing", "smsgw_pricing_ledger_entries_total", { kind: "charge", currency: "EUR" }),
    ).toBe(MESSAGES);
    expect(moved("pricing", "smsgw_pricing_charged_amount_total", { currency: "EUR" })).toBeCloseTo(
      0.042 * MESSAGES,
      6,
    );
    expect(moved("pricing", "smsgw_pricing_topped_up_amount_total", { currency: "EUR" })).toBe(10);

    // routing: its consumer processed the accepted events and handed the submit orders over.
    expect(
      moved("routing", "smsgw_events_published_total", { kind: "SubmitOrder", result: "ok" }),
    ).toBeGreaterThanOrEqual(MESSAGES);
    expect(moved("routing", "smsgw_consumer_messages_total", { outcome: "ack" })).toBeGreaterThan(
      0,
    );
    expect(
      moved("routing", "smsgw_routing_decisions_total", { outcome: "routed" }),
    ).toBeGreaterThanOrEqual(MESSAGES);

    // carrier-connector: submit orders consumed; submissions and receipts published in batch
    // envelopes (ADR 0009: several events per publish, at least one for each kind).
    expect(
      moved("carrier-connector", "smsgw_events_published_total", {
        kind: "EventBatch",
        result: "ok",
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      moved("carrier-connector", "smsgw_consumer_messages_total", { outcome: "ack" }),
    ).toBeGreaterThanOrEqual(MESSAGES);

    // Its own series (services/carrier-connector/src/metrics.ts), by the names the carrier
    // dashboard and alerts use: binds up, submits, receipts and their latency.
    const connector = after["carrier-connector"] ?? [];
    expect(total(connector, "smsgw_carrier_bind_up")).toBeGreaterThan(0);
    expect(moved("carrier-connector", "smsgw_carrier_submits_total")).toBeGreaterThanOrEqual(
      MESSAGES,
    );
    expect(
      moved("carrier-connector", "smsgw_carrier_receipts_total", { stat: "DELIVRD" }),
    ).toBeGreaterThanOrEqual(MESSAGES);
    expect(
      moved("carrier-connector", "smsgw_carrier_receipt_latency_seconds_count"),
    ).toBeGreaterThanOrEqual(MESSAGES);
    for (const sample of connector.filter((x) => x.name.startsWith("smsgw_carrier_"))) {
      expect(
        Object.keys(sample.labels).every((l) =>
          ["carrier", "result", "stat", "class", "le"].includes(l),
        ),
        sample.name,
      ).toBe(true);
    }

    // event-store: events appended by type, fold lag, its consumer's lag.
    for (const type of ["MessageAccepted", "MessageSubmitted"]) {
      expect(
        moved("event-store", "smsgw_event_store_events_appended_total", { type }),
        type,
      ).toBeGreaterThanOrEqual(MESSAGES);
    }
    // The charge rides on MessageAccepted (ADR 0009): no MessageCharged is appended.
    expect(
      moved("event-store", "smsgw_event_store_events_appended_total", { type: "MessageCharged" }),
    ).toBe(0);
    expect(moved("event-store", "smsgw_event_store_fold_lag_seconds_count")).toBeGreaterThan(0);
    // Every message went sent -> delivered: two reported changes each.
    for (const status of ["sent", "delivered"]) {
      expect(
        moved("event-store", "smsgw_message_status_changes_total", { status }),
        status,
      ).toBeGreaterThanOrEqual(MESSAGES);
    }
    expect(
      has(after["event-store"] ?? [], "smsgw_consumer_lag_messages", { consumer: "event-store" }),
    ).toBe(true);

    // dlr-dispatcher: webhook attempts and their duration.
    expect(moved("dlr-dispatcher", "smsgw_webhook_attempts_total")).toBeGreaterThanOrEqual(
      MESSAGES,
    );
    expect(
      moved("dlr-dispatcher", "smsgw_webhook_attempt_duration_seconds_count"),
    ).toBeGreaterThanOrEqual(MESSAGES);

    // Every service serves the kit's process metrics.
    for (const [service, samples] of Object.entries(after)) {
      expect(has(samples, "smsgw_process_cpu_seconds_total"), service).toBe(true);
    }
  });
});
