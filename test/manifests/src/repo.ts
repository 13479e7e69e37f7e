import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
// Each service's environment schema, straight from its sources: the manifests are checked
// against what the code parses at start-up, not against a copy of it. (Relative imports:
// this package has no lockfile entry of its own yet to depend on the services by name.)
import { CarrierConnectorEnv } from "@smsgw/carrier-connector";
import { ConsoleEnv } from "@smsgw/console";
import { DlrDispatcherEnv } from "@smsgw/dlr-dispatcher";
import { EventStoreEnv } from "@smsgw/event-store";
import { InboundEnv } from "@smsgw/inbound";
import { IngressEnv } from "@smsgw/ingress";
import { PricingEnv } from "@smsgw/pricing";
import { RoutingEnv } from "@smsgw/routing";
import { SmppServerEnv } from "@smsgw/smpp-server";
import { SmscSimulatorEnv } from "@smsgw/smsc-simulator";
import { parseYamlDocuments, type Yaml } from "./yaml.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

interface Parse {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}
/** The part of a zod object schema the checks use (zod itself resolves from the services). */
export interface EnvSchema extends Parse {
  shape: Record<string, Parse>;
}

export interface ServiceFacts {
  name: string;
  /** The port of /healthz, /readyz and /metrics (never a service's public port). */
  healthPort: number;
  /** The variable that sets it. */
  portVar: "HEALTH_PORT";
  schema: EnvSchema;
  /** Runs in production (the simulator is for dev, tests and benchmarks only). */
  production: boolean;
  /** Scales by replicas behind an HPA (all but the connector, which holds binds). */
  stateless: boolean;
}

const S = (schema: unknown) => schema as EnvSchema;

/** The conventions' port table (docs/conventions.md). */
export const SERVICES: readonly ServiceFacts[] = [
  // The API on HTTP_PORT 8080; /healthz /readyz /metrics on 8089 (issue 23).
  svc("ingress", 8089, "HEALTH_PORT", S(IngressEnv)),
  svc("pricing", 8081, "HEALTH_PORT", S(PricingEnv)),
  svc("routing", 8082, "HEALTH_PORT", S(RoutingEnv)),
  svc("carrier-connector", 8083, "HEALTH_PORT", S(CarrierConnectorEnv), { stateless: false }),
  svc("dlr-dispatcher", 8084, "HEALTH_PORT", S(DlrDispatcherEnv)),
  svc("event-store", 8085, "HEALTH_PORT", S(EventStoreEnv)),
  svc("smsc-simulator", 8086, "HEALTH_PORT", S(SmscSimulatorEnv), { production: false }),
  // The customer console: pages on HTTP_PORT 8087, /healthz /readyz /metrics on 8088.
  svc("console", 8088, "HEALTH_PORT", S(ConsoleEnv)),
  // Customers' SMPP binds on SMPP_PORT 2875; /healthz /readyz /metrics on 8090 (issue 19).
  svc("smpp-server", 8090, "HEALTH_PORT", S(SmppServerEnv)),
  // Numbers and inbound messages; /healthz /readyz /metrics on 8094 (issue 18).
  svc("inbound", 8094, "HEALTH_PORT", S(InboundEnv)),
];

function svc(
  name: string,
  healthPort: number,
  portVar: ServiceFacts["portVar"],
  schema: EnvSchema,
  opts: Partial<Pick<ServiceFacts, "production" | "stateless">> = {},
): ServiceFacts {
  return { name, healthPort, portVar, schema, production: true, stateless: true, ...opts };
}

export function service(name: string): ServiceFacts {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}

/**
 * Variables a manifest may set beyond a service's schema: the standard OpenTelemetry ones
 * (read by the service kit's tracing and the OTLP exporter) and Node's own.
 */
export function isPlatformVar(name: string): boolean {
  return /^OTEL_[A-Z_]+$/.test(name) || name === "NODE_ENV" || name === "NODE_OPTIONS";
}

/** Variables of the schema without a default: a manifest must set them. */
export function requiredVars(schema: EnvSchema): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

export function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

export function yamlDocs(path: string): Yaml[] {
  return parseYamlDocuments(read(path));
}

/** Repository-relative paths of the files under `dir` whose names match. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (pattern.test(entry.name)) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

/** The service directories that exist (a new one must be added to SERVICES). */
export function serviceDirs(): string[] {
  return readdirSync(join(ROOT, "services"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, "services", e.name, "package.json")))
    .map((e) => e.name)
    .sort();
}

export type Obj = { [key: string]: Yaml };

export function isObj(value: Yaml | undefined): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function obj(value: Yaml | undefined, what = "value"): Obj {
  if (!isObj(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

export function list(value: Yaml | undefined): Yaml[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: Yaml | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A secret-box key (32 bytes, base64) standing in for one an operator generates. */
export const STANDIN_SECRET_KEY = Buffer.alloc(32, 7).toString("base64");

/**
 * A compose value with its `${VAR:?…}` / `${VAR:-default}` as compose would fill it from
 * deploy/.env: a default as given, a required key variable with a stand-in key, any other
 * required variable kept as written (a password: any text will do for the schema).
 */
export function composeValue(value: string): string {
  const match = /^\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}$/.exec(value);
  if (!match) return value;
  const [, name = "", kind, rest = ""] = match;
  if (kind === "-") return rest;
  return name.endsWith("_KEY") ? STANDIN_SECRET_KEY : value;
}
