import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace";
import { ServiceTracerProvider } from "./service-tracer-provider.ts";

export interface Tracing {
  /** Exports every finished span now (tests; the batch processor otherwise waits). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/**
 * Whether the standard OTEL_* variables ask for traces: an OTLP endpoint is set, or
 * OTEL_TRACES_EXPORTER says otlp; OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none say no.
 */
export function tracingRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter === "none") return false;
  return (
    exporter === "otlp" ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

/**
 * Registers a tracer provider for this process. With tracing not requested and no span
 * processors given, nothing is registered: the OpenTelemetry API stays a no-op and
 * costs next to nothing (design.md: "off costs nothing"). The OTLP exporter reads the
 * standard OTEL_EXPORTER_OTLP_* variables itself.
 *
 * Each service's spans carry its own `service.name` (see ServiceTracerProvider), so a
 * process that runs several services (the e2e gateway) still tells them apart; in a
 * one-service process that is simply `serviceName` (or OTEL_SERVICE_NAME).
 */
export function startTracing(
  serviceName: string,
  env: Env = process.env,
  processors: SpanProcessor[] = [],
): Tracing | null {
  const spanProcessors = [...processors];
  if (tracingRequested(env))
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  if (spanProcessors.length === 0) return null;
  const provider = new ServiceTracerProvider(serviceName, spanProcessors, env.OTEL_SERVICE_NAME);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
