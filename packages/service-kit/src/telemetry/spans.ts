import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { MsgHdrs } from "@nats-io/transport-node";
import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { TraceContext } from "@smsgw/contracts";
import { contextFromEnvelope, extractTraceContext } from "../nats/trace-headers.ts";
import { SERVICE_SCOPE_PREFIX } from "./service-tracer-provider.ts";

export { type Span, SpanKind } from "@opentelemetry/api";

// The one place spans are made by hand. The official instrumentations patch modules at
// load time, which under native ESM needs a loader hook (--experimental-loader /
// import-in-the-middle) and has to run before `express` is imported; our services run their
// .ts sources straight from node and several start in one process in tests. So: a server
// span per HTTP request, a span per RPC, a span around any other unit of work, all here.

/** The tracer of one service: its spans carry that service's `service.name`. */
export function serviceTracer(service: string): Tracer {
  return trace.getTracer(`${SERVICE_SCOPE_PREFIX}${service}`);
}

/** The trace context a span continues, in the envelope's shape (for events and RPC bodies). */
export function traceContextOf(span: Span, parent: Context = context.active()): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  const { traceparent = "", tracestate } = carrier;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

/**
 * Runs `work` inside a new span (child of `parent`, else of the active context), ending it
 * when the work settles; a throw marks the span failed and is rethrown.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    parent,
  );
  if (!span.isRecording()) return work(span);
  try {
    const result = await context.with(trace.setSpan(parent, span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/**
 * A SERVER span for one NATS request/reply, child of the requester's span (the body's
 * `trace`, else the message headers). `trace` is this span's context, for the events the
 * request leads to; undefined while tracing is off. The caller ends the span (endSpan)
 * when it answers.
 */
export function startRpcSpan(
  tracer: Tracer,
  name: string,
  request: { headers?: MsgHdrs | undefined; trace?: TraceContext | undefined },
  attributes: Attributes = {},
): { span: Span; trace: TraceContext | undefined } {
  const parent = request.trace
    ? contextFromEnvelope(request.trace)
    : extractTraceContext(request.headers);
  const span = tracer.startSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { "rpc.system": "nats", ...attributes } },
    parent,
  );
  return { span, trace: span.isRecording() ? traceContextOf(span, parent) : undefined };
}

/** What an HTTP server span needs to know of the app: the route template that answered. */
export type RouteOf = (req: IncomingMessage) => string | undefined;

/**
 * Wraps a node HTTP listener so each request runs inside a SERVER span named
 * `METHOD /route/template` (never the raw URL: the compatible endpoint carries the token in
 * its query string). Everything the request does, body parsing and RPCs and publishes
 * included, happens in that span's context: req and res are bound to it, so listeners
 * registered on them (body parsers, on-finished) run in it too.
 *
 * A public API starts its own trace: a caller's `traceparent` becomes a link, not the parent,
 * so one message is one trace whatever the client sends. With tracing off the listener is
 * called as is.
 */
export function traceHttpRequests(
  tracer: Tracer,
  listener: RequestListener,
  routeOf: RouteOf,
): RequestListener {
  return (req, res) => {
    const method = req.method ?? "GET";
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": method, "url.scheme": "http" },
        links: callerLink(req),
      },
      ROOT_CONTEXT,
    );
    if (!span.isRecording()) {
      listener(req, res);
      return;
    }
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once("close", () => endHttpSpan(span, method, req, res, routeOf));
    context.with(ctx, () => listener(req, res));
  };
}

function endHttpSpan(
  span: Span,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  routeOf: RouteOf,
): void {
  const route = routeOf(req);
  if (route) {
    span.updateName(`${method} ${route}`);
    span.setAttribute("http.route", route);
  }
  span.setAttribute("http.response.status_code", res.statusCode);
  if (!res.writableFinished) span.setAttribute("error.type", "aborted");
  if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function callerLink(req: IncomingMessage): Link[] {
  if (!req.headers.traceparent) return [];
  const remote = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, req.headers));
  return remote && trace.isSpanContextValid(remote) ? [{ context: remote }] : [];
}
