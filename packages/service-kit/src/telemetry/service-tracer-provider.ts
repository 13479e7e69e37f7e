import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { TracerProvider as SdkTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

/** The instrumentation scope of a service's own spans: its package name. */
export const SERVICE_SCOPE_PREFIX = "@smsgw/";

/**
 * A tracer provider that gives each service its own resource. The kit asks for tracers
 * named after the service's package (`@smsgw/routing`); those spans get
 * `service.name=routing`. Any other tracer (a library's) gets the process's service. One
 * SDK provider per service, all feeding the same span processors (one exporter, which
 * groups spans by resource). OTEL_SERVICE_NAME, when set, names every span of the process,
 * as the operator asked.
 */
export class ServiceTracerProvider implements TracerProvider {
  readonly #providers = new Map<string, SdkTracerProvider>();
  readonly #processors: SpanProcessor[];
  readonly #processService: string;
  readonly #override: string | undefined;

  constructor(processService: string, processors: SpanProcessor[], override?: string) {
    this.#processService = processService;
    this.#processors = processors;
    this.#override = override || undefined;
  }

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const own = name.startsWith(SERVICE_SCOPE_PREFIX)
      ? name.slice(SERVICE_SCOPE_PREFIX.length)
      : undefined;
    const service = this.#override ?? own ?? this.#processService;
    return this.#providerFor(service).getTracer(name, version, options);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.#processors.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    // The processors are shared: shut them once, not once per provider.
    await Promise.all(this.#processors.map((p) => p.shutdown()));
    this.#providers.clear();
  }

  #providerFor(service: string): SdkTracerProvider {
    let provider = this.#providers.get(service);
    if (!provider) {
      provider = new SdkTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
        spanProcessors: this.#processors,
      });
      this.#providers.set(service, provider);
    }
    return provider;
  }
}
