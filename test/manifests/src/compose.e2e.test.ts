import { describe, expect, it } from "vitest";
import { envProblems } from "./env-check.ts";
import {
  composeValue,
  exists,
  isObj,
  list,
  type Obj,
  obj,
  read,
  SERVICES,
  serviceDirs,
  str,
  yamlDocs,
} from "./repo.ts";

const compose = obj(yamlDocs("deploy/compose.yaml")[0], "compose.yaml");
const services = obj(compose.services, "services");
const app = (name: string) => obj(services[name], name);
const envOf = (name: string): Record<string, string> => {
  const env = obj(app(name).environment ?? {}, `${name}.environment`);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, composeValue(String(v))]));
};

describe("deploy/compose.yaml", () => {
  it("when every service directory exists, the stack runs it from its own image build", () => {
    expect(SERVICES.map((s) => s.name).sort()).toEqual(serviceDirs());
    for (const { name } of SERVICES) {
      const build = obj(app(name).build, `${name}.build`);
      expect(build.context).toBe("..");
      expect(build.dockerfile).toBe("deploy/Dockerfile");
      expect(obj(build.args, `${name}.build.args`).SERVICE).toBe(name);
    }
  });

  it("when it gives a service its environment, the service's schema knows and accepts it", () => {
    const problems = SERVICES.flatMap((facts) => {
      const env = envOf(facts.name);
      const values = Object.values(obj(app(facts.name).environment ?? {}));
      // Compose refuses booleans in environment; numbers become strings: keep them strings.
      const typed = values.filter((v) => typeof v !== "string").map((v) => `${facts.name}: ${v}`);
      return [...typed, ...envProblems(facts, env)];
    });
    expect(problems).toEqual([]);
  });

  it("when a service listens, it is on all interfaces at the conventions' port", () => {
    for (const facts of SERVICES) {
      const env = envOf(facts.name);
      expect(env.HTTP_HOST, facts.name).toBe("0.0.0.0");
      expect(env[facts.portVar], facts.name).toBe(String(facts.healthPort));
    }
    expect(list(app("ingress").ports)).toContain("8080:8080");
    expect(envOf("smsc-simulator").SIM_HOST).toBe("0.0.0.0");
  });

  it("when it publishes ports, only the customers' (API, SMPP, console) are on every interface, and no UI keeps a default password", () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      list(obj(service, name).ports ?? []).map((port) => ({ name, port: String(port) })),
    );
    const everywhere = published.filter(({ port }) => !port.startsWith("127.0.0.1:"));
    expect(everywhere.map(({ name }) => name).sort()).toEqual([
      "console",
      "ingress",
      "smpp-server",
    ]);
    expect(published.filter(({ name }) => name === "grafana")).not.toHaveLength(0);
    const grafana = envOf("grafana");
    expect(grafana.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{SMSGW_GRAFANA_ADMIN_PASSWORD:\?/);
    expect(read("deploy/nats-secrets.sh")).toContain("SMSGW_GRAFANA_ADMIN_PASSWORD");
  });

  it("when the connector binds, it reaches the simulator's carriers, and routes name them", () => {
    const carriers = JSON.parse(envOf("carrier-connector").CARRIERS ?? "[]") as Obj[];
    const sims = JSON.parse(envOf("smsc-simulator").SIM_CARRIERS ?? "[]") as Obj[];
    expect(carriers.length).toBeGreaterThan(0);
    for (const carrier of carriers) {
      const sim = sims.find((s) => s.id === carrier.id);
      expect(sim, String(carrier.id)).toBeDefined();
      expect(carrier.host).toBe("smsc-simulator");
      expect(carrier.port).toBe(sim?.port);
      // Flagged, so routing sends test accounts' messages to them (and only to simulators).
      expect(carrier.simulated, String(carrier.id)).toBe(true);
    }
    const routed = [...(envOf("routing").ROUTES ?? "").matchAll(/[=|]([a-z0-9_-]+)/g)].map(
      (m) => m[1],
    );
    for (const id of routed) expect(carriers.map((c) => c.id)).toContain(id);
  });

  it("when services depend on others or mount files and volumes, those exist", () => {
    const volumes = Object.keys(obj(compose.volumes ?? {}));
    for (const [name, def] of Object.entries(services)) {
      const spec = obj(def, name);
      const deps = spec.depends_on;
      const names = Array.isArray(deps) ? deps.map(String) : isObj(deps) ? Object.keys(deps) : [];
      for (const dep of names) expect(Object.keys(services), `${name} -> ${dep}`).toContain(dep);
      for (const mount of list(spec.volumes).map(String)) {
        const source = mount.split(":")[0] ?? "";
        if (source.startsWith("./")) expect(exists(`deploy/${source.slice(2)}`), mount).toBe(true);
        else expect(volumes, mount).toContain(source);
      }
      const image = str(spec.image);
      if (!spec.build) {
        expect(image, name).toMatch(/:v?[0-9]+\.[0-9]+(\.[0-9]+)?[A-Za-z0-9._-]*$/);
      }
    }
  });

  it("when the services export traces, they send them to the collector's OTLP receiver", () => {
    const collector = obj(yamlDocs("deploy/otel-collector.yaml")[0]);
    const http = obj(obj(obj(obj(collector.receivers).otlp).protocols).http);
    const port = str(http.endpoint)?.split(":")[1];
    for (const { name } of SERVICES.filter((s) => s.name !== "smsc-simulator")) {
      expect(envOf(name).OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(`http://otel-collector:${port}`);
    }
    expect(services["otel-collector"]).toBeDefined();
    for (const ui of ["jaeger", "prometheus", "grafana", "nats", "postgres"]) {
      expect(services[ui], ui).toBeDefined();
    }
    const nats = obj(services.nats);
    expect(list(nats.command)).toEqual(["--config=/etc/nats/nats.conf"]);
    expect(list(nats.volumes)).toContain("./nats/nats.conf:/etc/nats/nats.conf:ro");
    expect(read("deploy/nats/nats.conf")).toMatch(/^jetstream \{\s+store_dir: \/data/m);
    expect(read("deploy/nats/nats.conf")).toMatch(/^include auth\.conf$/m);
    expect(
      list(nats.volumes)
        .map(String)
        .some((v) => v.endsWith(":/data")),
    ).toBe(true);
  });
});
