import { describe, expect, it } from "vitest";
import { envProblems } from "./env-check.ts";
import {
  containerEnv,
  containers,
  initContainers,
  kindOf,
  kustomization,
  kustomizationDirs,
  ownObjects,
  podSpec,
  referencedPaths,
} from "./k8s.ts";
import { exists, list, type Obj, obj, read, SERVICES, str } from "./repo.ts";

const base = ownObjects("k8s/base");
const find = (kind: string, name: string) =>
  base.find((d) => d.kind === kind && obj(d.metadata).name === name);
const configMaps = new Map(
  base.filter((d) => d.kind === "ConfigMap").map((d) => [String(obj(d.metadata).name), d]),
);
const production = SERVICES.filter((s) => s.production);
const workloadOf = (name: string, stateless: boolean) =>
  obj(find(stateless ? "Deployment" : "StatefulSet", name), `${name} workload`);

/** Stand-ins for values that come from Secrets or the downward API. */
const PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: "postgres://smsgw:placeholder@db:5432/smsgw",
  ADMIN_TOKEN: "placeholder-admin-token-32-chars",
  NATS_PASSWORD: "placeholder-nats-password",
  REPLICA_ID: "carrier-connector-0",
  CARRIERS: read("k8s/overlays/dev/carriers/carriers.json"),
};

describe("k8s sources", () => {
  it("when a kustomization refers to a file, the file exists", () => {
    const dirs = kustomizationDirs();
    expect(dirs).toEqual(
      expect.arrayContaining(["k8s/base", "k8s/overlays/dev", "k8s/overlays/production"]),
    );
    const missing = dirs.flatMap((d) => referencedPaths(d).filter((p) => !exists(p)));
    expect(missing).toEqual([]);
  });

  it("when the base lists its resources, each production service has a workload and a Service", () => {
    const kinds = base.map(kindOf);
    for (const { name, stateless } of production) {
      expect(kinds).toContain(`${stateless ? "Deployment" : "StatefulSet"}/${name}`);
      expect(kinds).toContain(`Service/${name}`);
      expect(kinds).toContain(`PodDisruptionBudget/${name}`);
    }
    expect(kinds.filter((k) => k.includes("smsc-simulator"))).toEqual([]); // dev overlay only
  });

  it("when a pod runs, it is probed on its health port and bounded in resources and rights", () => {
    for (const { name, stateless, healthPort } of production) {
      const workload = workloadOf(name, stateless);
      const spec = podSpec(workload);
      expect(obj(spec.securityContext).runAsNonRoot, name).toBe(true);
      expect(Number(spec.terminationGracePeriodSeconds), name).toBeGreaterThanOrEqual(30);
      const [container] = containers(workload);
      const c = obj(container, name);
      expect(c.image, name).toBe(`smsgw/${name}`); // overlays set registry and tag
      expect(list(c.ports).map((p) => obj(p).containerPort)).toContain(healthPort);
      const probe = (key: string) => obj(obj(c[key], `${name}.${key}`).httpGet);
      expect(probe("readinessProbe")).toEqual({ path: "/readyz", port: healthPort });
      expect(probe("livenessProbe")).toEqual({ path: "/healthz", port: healthPort });
      const resources = obj(c.resources, `${name}.resources`);
      for (const k of ["cpu", "memory"]) expect(obj(resources.requests)[k], name).toBeDefined();
      expect(obj(resources.limits).memory, name).toBeDefined();
      const security = obj(c.securityContext, name);
      expect(security.allowPrivilegeEscalation).toBe(false);
      expect(security.readOnlyRootFilesystem).toBe(true);
      expect(obj(security.capabilities).drop).toEqual(["ALL"]);
      const annotations = obj(obj(obj(obj(workload.spec).template).metadata).annotations);
      expect(annotations["prometheus.io/port"], name).toBe(String(healthPort));
    }
  });

  it("when a service starts, its schema knows and accepts the environment the base gives it", () => {
    const problems = production.flatMap((facts) => {
      const c = obj(containers(workloadOf(facts.name, facts.stateless))[0]);
      const { env, fromRefs } = containerEnv(c, configMaps);
      const unresolved: Record<string, string> = {};
      for (const key of Object.keys(fromRefs)) unresolved[key] = PLACEHOLDERS[key] ?? "";
      const wrong =
        env[facts.portVar] === String(facts.healthPort) && env.HTTP_HOST === "0.0.0.0"
          ? []
          : [`${facts.name}: ${facts.portVar} or HTTP_HOST`];
      return [...wrong, ...envProblems(facts, env, unresolved)];
    });
    expect(problems).toEqual([]);
  });

  it("when a pod with a database starts, its init container migrates (MIGRATE=only) and the service waits for it (false)", () => {
    const problems: string[] = [];
    for (const facts of production) {
      const workload = workloadOf(facts.name, facts.stateless);
      const main = obj(containers(workload)[0]);
      const { env, fromRefs } = containerEnv(main, configMaps);
      const init = initContainers(workload).find((c) => c.name === "migrate");
      if (!("DATABASE_URL" in fromRefs)) {
        if (init) problems.push(`${facts.name}: an init container without a database`);
        continue;
      }
      if (!init) {
        problems.push(`${facts.name}: no init container migrate`);
        continue;
      }
      if (env.MIGRATE !== "false")
        problems.push(`${facts.name}: the service has MIGRATE=${env.MIGRATE}`);
      const initEnv = containerEnv(init, configMaps);
      if (initEnv.env.MIGRATE !== "only")
        problems.push(`${facts.name}: migrate has MIGRATE=${initEnv.env.MIGRATE}`);
      // The same image and the same configuration: the init step parses the service's schema.
      if (init.image !== main.image)
        problems.push(`${facts.name}: migrate runs ${String(init.image)}`);
      if (init.command !== undefined || init.args !== undefined)
        problems.push(`${facts.name}: migrate's command differs`);
      const { MIGRATE: _a, ...initRest } = initEnv.env;
      const { MIGRATE: _b, ...mainRest } = env;
      if (
        JSON.stringify(initRest) !== JSON.stringify(mainRest) ||
        JSON.stringify(initEnv.fromRefs) !== JSON.stringify(fromRefs)
      ) {
        problems.push(`${facts.name}: migrate's environment differs from the service's`);
      }
      const security = obj(init.securityContext, `${facts.name} migrate`);
      if (security.readOnlyRootFilesystem !== true)
        problems.push(`${facts.name}: migrate writes its root`);
    }
    expect(problems).toEqual([]);
    // Routing too, since its scheduled messages have a table (ADR 0027).
    expect(initContainers(workloadOf("routing", true)).map((c) => c.name)).toEqual(["migrate"]);
  });

  it("when connector replicas start, each has a stable id, the seed and node as PID 1", () => {
    const sts = workloadOf("carrier-connector", false);
    const c = obj(containers(sts)[0]);
    // The image's CMD runs unchanged: no shell in front of node, so SIGTERM reaches it.
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
    expect(obj(sts.spec).serviceName).toBe("carrier-connector");
    const { fromRefs } = containerEnv(c, configMaps);
    expect(obj(fromRefs.REPLICA_ID).fieldRef).toEqual({ fieldPath: "metadata.name" });
    expect(obj(fromRefs.CARRIERS).secretKeyRef).toEqual({
      name: "smsgw-carriers",
      key: "carriers.json",
    });
    const admin = obj(obj(fromRefs.ADMIN_TOKEN).secretKeyRef);
    expect(admin.optional).toBe(true); // no token: the admin API stays off
  });

  it("when load changes, stateless services scale by HPA and the connector does not", () => {
    const hpas = base.filter((d) => d.kind === "HorizontalPodAutoscaler").map((d) => obj(d.spec));
    const targets = hpas.map((h) => obj(h.scaleTargetRef));
    for (const { name, stateless } of production) {
      const target = targets.find((t) => t.name === name);
      if (stateless)
        expect(target, name).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
      else expect(target, name).toBeUndefined();
    }
    for (const h of hpas) expect(Number(h.minReplicas)).toBeLessThanOrEqual(Number(h.maxReplicas));
  });

  it("when NATS runs, it is a 3-node JetStream cluster with persistent storage", () => {
    const sts = obj(find("StatefulSet", "nats"));
    expect(obj(sts.spec).replicas).toBe(3);
    expect(list(obj(sts.spec).volumeClaimTemplates)).toHaveLength(1);
    const conf = String(obj(obj(find("ConfigMap", "nats-config")).data)["nats.conf"]);
    expect(conf).toMatch(/jetstream \{/);
    const routes = [...conf.matchAll(/nats:\/\/(nats-[0-9])\.(\S+):6222/g)];
    expect(routes.map((r) => r[1])).toEqual(["nats-0", "nats-1", "nats-2"]);
    for (const r of routes) expect(r[2]).toBe(obj(sts.spec).serviceName);
    // Clients over TLS with the users of auth.conf (ADR 0015).
    const common = obj(obj(find("ConfigMap", "smsgw-common")).data);
    expect(common.NATS_URL).toBe("tls://nats:4222");
    expect(conf).toMatch(/tls \{\s+cert_file: \/etc\/nats-tls\/tls\.crt/);
    // The routes between the nodes are TLS as well, each side verified.
    const cluster = conf.slice(conf.indexOf("cluster {"));
    expect(cluster).toMatch(/tls \{[^}]*ca_file: \/etc\/nats-tls\/ca\.crt[^}]*verify: true/);
    expect(conf).toMatch(/^\s*include auth\.conf$/m);
  });

  it("when secrets are configured, none is in the repository outside dev placeholders", () => {
    const prod = kustomization("k8s/overlays/production");
    expect(prod.secretGenerator).toBeUndefined();
    for (const dir of ["k8s/base", "k8s/overlays/production"]) {
      expect(ownObjects(dir).filter((d) => d.kind === "Secret")).toEqual([]);
    }
    const literals = list(kustomization("k8s/overlays/dev").secretGenerator).flatMap((g) =>
      list(obj(g).literals).map(String),
    );
    for (const literal of literals) {
      if (!literal.startsWith("username=")) expect(literal).toMatch(/dev-only/);
    }
    const external = ownObjects("k8s/overlays/production").filter(
      (d) => d.kind === "ExternalSecret",
    );
    const targets = external.map((d: Obj) => str(obj(obj(d.spec).target).name));
    expect(targets.sort()).toEqual([
      "smsgw-admin",
      "smsgw-carriers",
      "smsgw-console",
      "smsgw-database",
      "smsgw-nats",
    ]);
  });
});
