import { startTracing, type Tracing } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * One message through the whole gateway with tracing on, exported by the services' real
 * OTLP exporter (configured only by the standard OTEL_* variables) to a real OTLP/HTTP
 * receiver on loopback. All six services run in this process, each with its own
 * service.name (the kit's per-service tracer provider).
 */
const SERVICES = [
  "ingress",
  "pricing",
  "routing",
  "carrier-connector",
  "event-store",
  "dlr-dispatcher",
] as const;
const OTEL_VARS = {
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_BSP_SCHEDULE_DELAY: "100",
};
const SERVER = 2; // OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer

let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let tracing: Tracing | null;
let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let sql: postgres.Sql;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  Object.assign(process.env, OTEL_VARS, { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint });
  tracing = startTracing("e2e-gateway", process.env);
  gateway = await startGateway();
  receiver = await startWebhookReceiver();
  sql = postgres(gateway.infra.database.url, { max: 2, onnotice: () => undefined });
});

afterAll(async () => {
  await sql?.end();
  await receiver?.close();
  await gateway?.stop();
  await tracing?.shutdown();
  await otlp?.close();
  for (const key of [...Object.keys(OTEL_VARS), "OTEL_EXPORTER_OTLP_ENDPOINT"]) {
    delete process.env[key];
  }
});

/** The span and its ancestors, root first; undefined while an ancestor has not arrived. */
function chain(spans: ReceivedSpan[], leaf: ReceivedSpan): ReceivedSpan[] | undefined {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const out = [leaf];
  let current = leaf;
  while (current.parentSpanId) {
    const parent = byId.get(current.parentSpanId);
    if (!parent) return undefined;
    out.unshift(parent);
    current = parent;
  }
  return out;
}

/** Consecutive duplicates dropped: the services a chain passes through, in order. */
const servicesOf = (spans: ReceivedSpan[]) =>
  spans.map((s) => s.service).filter((name, i, all) => i === 0 || all[i - 1] !== name);

describe("one trace per message", () => {
  it("when a message is sent and reported, one trace holds spans of all six services in causal order", async () => {
    expect(tracing).not.toBeNull();
    await waitFor(() => gateway.routing.view().health.get("sim-a") === "up", {
      timeoutMs: 30_000,
      what: "the connector bound to sim-a",
    });
    const account = await gateway.pricing.accounts.createAccount({
      name: "e2e-trace",
      credits: "10",
    });
    const query = new URLSearchParams({
      hash: account.hash,
      token: account.token,
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      text: "traced",
      callbackUrl: receiver.url("/dlr"),
    });
    const res = await fetch(`${gateway.baseUrl}/?${query}`);
    const body = (await res.json()) as { status: string; messageId: string };
    expect(body.status).toBe("success");
    const { messageId } = body;
    await waitFor(() => receiver.forMessage(messageId).find((w) => w.json.status === "delivered"), {
      timeoutMs: 20_000,
      what: "the delivered webhook",
    });

    // Every event the gateway recorded for the message carries the same trace.
    const events = await waitFor(async () => {
      // Webhook attempts are logged a batch to a row (event store's webhook_attempts).
      const rows = await sql<Array<{ type: string; trace: { traceparent: string } | null }>>`
        select type, trace from event_store.events where message_id = ${messageId}
        union all
        select a->>'type', a->'trace' from event_store.webhook_attempts,
          jsonb_array_elements(events) a
        where message_ids @> array[${messageId}::text] and a->>'messageId' = ${messageId}`;
      return rows.some((r) => r.type === "WebhookAttempted") ? rows : undefined;
    });
    const traceIds = new Set(events.map((e) => e.trace?.traceparent.split("-")[1]));
    expect(traceIds.size, JSON.stringify(events)).toBe(1);
    const [traceId = ""] = [...traceIds];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // Wait until a webhook attempt's whole ancestry has been exported.
    const { spans, attempt } = await waitFor(
      async () => {
        await tracing?.forceFlush();
        const spans = otlp.trace(traceId);
        const attempt = spans
          .filter((s) => s.name === "webhook attempt")
          .map((s) => chain(spans, s))
          .find((c) => c !== undefined);
        const present = new Set(spans.map((s) => s.service));
        return attempt && SERVICES.every((s) => present.has(s)) ? { spans, attempt } : undefined;
      },
      { timeoutMs: 20_000, what: `spans of all six services in trace ${traceId}` },
    );

    // All six services, each named by its own resource.
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(SERVICES));

    // The root: ingress's server span for the request, named by its route, not its URL.
    const roots = spans.filter((s) => s.parentSpanId === "");
    expect(roots).toHaveLength(1);
    const [root] = roots as [ReceivedSpan];
    expect(root).toMatchObject({
      service: "ingress",
      kind: SERVER,
      name: "GET /",
      attributes: { "http.route": "/", "http.response.status_code": 200 },
    });
    expect(JSON.stringify([root.name, root.attributes])).not.toContain(account.token);

    // Pricing's authorize span and routing's first span are children of the request.
    const authorize = spans.find((s) => s.service === "pricing" && s.name === "pricing authorize");
    expect(authorize?.parentSpanId).toBe(root.spanId);
    expect(authorize?.kind).toBe(SERVER);
    const routing = spans
      .filter((s) => s.service === "routing")
      .sort((a, b) => Number(a.startNs - b.startNs))[0];
    expect(routing?.parentSpanId).toBe(root.spanId);
    expect(authorize?.startNs).toBeGreaterThan(root.startNs);
    expect(routing?.startNs).toBeGreaterThan(authorize?.startNs ?? 0n);

    // The webhook attempt descends, hop by hop, from the request through every service.
    expect(servicesOf(attempt)).toEqual([
      "ingress",
      "routing",
      "carrier-connector",
      "event-store",
      "dlr-dispatcher",
    ]);
    for (let i = 1; i < attempt.length; i++) {
      const [parent, child] = [attempt[i - 1], attempt[i]] as [ReceivedSpan, ReceivedSpan];
      expect(child.startNs, `${child.service} ${child.name}`).toBeGreaterThanOrEqual(
        parent.startNs,
      );
    }
    expect(attempt.at(-1)?.attributes["http.response.status_code"]).toBe(204);
    // The charge publishes no event of its own (it rides on MessageAccepted, ADR 0009):
    // nothing the event store does descends from pricing's span.
    const chargedFold = spans.find(
      (s) => s.service === "event-store" && s.parentSpanId === authorize?.spanId,
    );
    expect(chargedFold, "an event-store span under pricing authorize").toBeUndefined();
  });
});
