import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import {
  envelopeFor,
  eventIdFor,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  newMessageId,
} from "@smsgw/contracts";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { startHealthServer } from "../http/health.ts";
import { type Messaging, openMessaging } from "../infrastructure.ts";
import { createLogger } from "../logger.ts";
import { startConsumer } from "../nats/consumer.ts";
import { currentTraceContext, injectTraceHeaders } from "../nats/trace-headers.ts";
import { endSpan, serviceTracer, startRpcSpan, traceHttpRequests } from "./spans.ts";
import { startTracing, type Tracing, tracingRequested } from "./tracing.ts";

const log = createLogger("telemetry-test", "silent");
const exporter = new InMemorySpanExporter();
let tracing: Tracing | null;
let infra: TestInfra;
let messaging: Messaging;

beforeAll(async () => {
  tracing = startTracing("telemetry-test", {}, [new SimpleSpanProcessor({ exporter })]);
  infra = await createTestInfra();
  messaging = await openMessaging(loadConfig(BaseEnv, infra.env), "telemetry-test", log);
});
afterAll(async () => {
  await messaging.close();
  await infra.cleanup();
  await tracing?.shutdown();
});

function failedEvent(messageId: string, traceContext: MessageEvent["trace"]): MessageEvent {
  return {
    ...envelopeFor(
      { messageId, accountId: "acc_1", trace: traceContext },
      eventIdFor(messageId, "failed"),
      new Date(),
    ),
    type: "MessageFailed",
    data: { reason: "no_route", errorCode: null, detail: "test" },
  };
}

describe("tracing across NATS", () => {
  it("when OTEL variables are absent, tracing is not requested", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe(true);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_SDK_DISABLED: "true" }),
    ).toBe(false);
  });

  it("when an event is consumed and a derived event is consumed in turn, the spans form one causal chain", async () => {
    const messageId = newMessageId();
    const root = trace.getTracer("test").startSpan("http request", { kind: SpanKind.SERVER });
    const rootContext = currentTraceContext(trace.setSpan(context.active(), root));
    root.end();
    // First hop: a consumer of accepted events derives a failed event from each.
    const first = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: "hop-one",
      filterSubject: messaging.subjects.event("MessageAccepted"),
      schema: MessageEventSchema,
      log,
      handle: async (batch) => {
        await messaging.publisher.publishAll(
          batch.map((d) => failedEvent(d.value.messageId, d.value.trace)),
        );
        return undefined;
      },
    });
    const seen: string[] = [];
    const second = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: "hop-two",
      filterSubject: messaging.subjects.event("MessageFailed"),
      schema: MessageEventSchema,
      log,
      handle: async (batch) => {
        seen.push(...batch.map((d) => d.value.messageId));
        return undefined;
      },
    });
    await messaging.publisher.publish({
      ...envelopeFor(
        { messageId, accountId: "acc_1", trace: rootContext },
        eventIdFor(messageId, "accepted"),
        new Date(),
      ),
      type: "MessageAccepted",
      data: {
        to: "+37256789045",
        from: "MyApp",
        text: "hi",
        encoding: "gsm7",
        parts: 1,
        country: "EE",
        cost: 420,
        currency: "EUR",
        callbackUrl: null,
        reference: null,
      },
    });
    await waitFor(() => seen.includes(messageId));
    await first.stop();
    await second.stop();

    const spans = exporter.getFinishedSpans();
    const hopOne = spans.find((s) => s.name === "hop-one process");
    const hopTwo = spans.find((s) => s.name === "hop-two process");
    expect(hopOne?.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(hopOne?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(hopTwo?.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(hopTwo?.parentSpanContext?.spanId).toBe(hopOne?.spanContext().spanId);
  });

  it("when a consumer has settled messages, /metrics shows them", async () => {
    const health = await startHealthServer(0, "127.0.0.1", { live: () => true, ready: () => true });
    const body = await (await fetch(`http://127.0.0.1:${health.port}/metrics`)).text();
    await health.close();
    expect(body).toMatch(/smsgw_consumer_messages_total\{consumer="hop-one",outcome="ack"\} [1-9]/);
    expect(body).toMatch(/smsgw_events_published_total\{kind="MessageFailed",result="ok"\} [1-9]/);
    expect(body).toMatch(/smsgw_process_cpu_seconds_total/);
  });
});

describe("hand-made spans", () => {
  it("when a request runs through traceHttpRequests, its SERVER span is named by the route template and is the active context after the body is read", async () => {
    const seen: Array<string | undefined> = [];
    const app = express();
    app.post("/things/:id", express.json(), (req, res) => {
      seen.push(currentTraceContext()?.traceparent, String(req.body.n));
      res.status(201).json({ ok: true });
    });
    const tracer = serviceTracer("svc-http");
    const server = createServer(
      traceHttpRequests(tracer, app, (req) => (req as express.Request).route?.path),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/things/msg_123?token=secret`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: 7 }),
    });
    expect(res.status).toBe(201);
    server.close();
    const span = await waitFor(() =>
      exporter.getFinishedSpans().find((s) => s.name === "POST /things/:id"),
    );
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      "http.route": "/things/:id",
      "http.response.status_code": 201,
      "http.request.method": "POST",
    });
    expect(span.resource.attributes["service.name"]).toBe("svc-http");
    expect(span.parentSpanContext).toBeUndefined();
    // The handler ran after the body's events, still inside the request's span.
    expect(seen[0]?.split("-")[2]).toBe(span.spanContext().spanId);
    expect(seen[1]).toBe("7");
    expect(JSON.stringify(span.attributes)).not.toContain("secret");
  });

  it("when an RPC arrives with trace headers, its span is a child of the requester's and each service's spans carry its own service.name", () => {
    const requester = serviceTracer("svc-a").startSpan("ask");
    const headers = natsHeaders();
    injectTraceHeaders(headers, trace.setSpan(context.active(), requester));
    const { span, trace: carried } = startRpcSpan(serviceTracer("svc-b"), "answer", { headers });
    endSpan(span);
    requester.end();
    const answer = exporter.getFinishedSpans().find((s) => s.name === "answer");
    expect(answer?.parentSpanContext?.spanId).toBe(requester.spanContext().spanId);
    expect(answer?.kind).toBe(SpanKind.SERVER);
    expect(carried?.traceparent.split("-")[2]).toBe(span.spanContext().spanId);
    const ask = exporter.getFinishedSpans().find((s) => s.name === "ask");
    expect(ask?.resource.attributes["service.name"]).toBe("svc-a");
    expect(answer?.resource.attributes["service.name"]).toBe("svc-b");
  });
});
