import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export interface Tracing {
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
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
