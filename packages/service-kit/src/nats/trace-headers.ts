import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import { type Context, context, propagation } from "@opentelemetry/api";
import type { TraceContext } from "@smsgw/contracts";

// The one place trace context crosses NATS: OpenTelemetry has no NATS instrumentation.
// With no OpenTelemetry SDK registered these are no-ops and cost next to nothing.

export function injectTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/**
 * Headers carrying the active trace context for a NATS request, or undefined when there is
 * none (tracing off): then the request goes out without a header block at all.
 */
export function traceHeaders(ctx: Context = context.active()): MsgHdrs | undefined {
  const headers = natsHeaders();
  injectTraceHeaders(headers, ctx);
  return headers.keys().length > 0 ? headers : undefined;
}

export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier.get(key) || undefined,
    keys: (carrier) => carrier.keys(),
  });
}

/** The active trace context in the envelope's shape, or undefined when tracing is off. */
export function currentTraceContext(ctx: Context = context.active()): TraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const { traceparent, tracestate } = carrier;
  if (!traceparent) return undefined;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

export function contextFromEnvelope(trace: TraceContext | undefined): Context {
  if (!trace) return context.active();
  return propagation.extract(context.active(), trace);
}
