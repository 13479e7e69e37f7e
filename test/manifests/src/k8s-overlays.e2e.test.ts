import { describe, expect, it } from "vitest";
import { envProblems } from "./env-check.ts";
import { containerEnv, containers, findRenderer, kindOf } from "./k8s.ts";
import { list, type Obj, obj, SERVICES, str } from "./repo.ts";

/** The overlays as kustomize renders them (`kubectl kustomize`, kustomize v5). */
const renderer = findRenderer();
const WORKLOADS = new Set(["Deployment", "StatefulSet"]);

const named = (docs: Obj[], kind: string) =>
  new Map(docs.filter((d) => d.kind === kind).map((d) => [String(obj(d.metadata).name), d]));

/** Secret and ConfigMap names every container refers to. */
function references(docs: Obj[]): { secrets: Set<string>; configMaps: Set<string> } {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  for (const w of docs.filter((d) => WORKLOADS.has(String(d.kind)))) {
    for (const c of containers(w)) {
      for (const e of list(c.env)) {
        const ref = obj(obj(e).valueFrom ?? {}).secretKeyRef;
        if (ref) secrets.add(String(obj(ref).name));
      }
      for (const f of list(c.envFrom)) {
        const ref = obj(f).configMapRef;
        if (ref) configMaps.add(String(obj(ref).name));
      }
    }
    const volumes = list(obj(obj(obj(w.spec).template).spec).volumes).map((v) => obj(v));
    for (const v of volumes) if (v.secret) secrets.add(String(obj(v.secret).secretName));
  }
  return { secrets, configMaps };
}

function connectorReplicas(docs: Obj[]): number {
  return Number(obj(obj(named(docs, "StatefulSet").get("carrier-connector")).spec).replicas);
}

describe(`k8s overlays rendered by ${renderer.name}`, () => {
  const dev = renderer.render("k8s/overlays/dev");
  const prod = renderer.render("k8s/overlays/production");
  /** Secrets cert-manager writes for the overlay's Certificates (NATS's TLS, nats-tls.yaml). */
  const certificateSecrets = (docs: Obj[]) =>
    docs.filter((d) => d.kind === "Certificate").map((d) => String(obj(d.spec).secretName));

  it("when an overlay is rendered, every object is in its namespace and every image is tagged", () => {
    for (const [docs, ns] of [
      [dev, "smsgw-dev"],
      [prod, "smsgw"],
    ] as const) {
      for (const d of docs.filter((d) => d.kind !== "Namespace")) {
        expect(obj(d.metadata).namespace, kindOf(d)).toBe(ns);
      }
      for (const w of docs.filter((d) => WORKLOADS.has(String(d.kind)))) {
        for (const c of containers(w)) expect(str(c.image), kindOf(w)).toMatch(/:[A-Za-z0-9._-]+$/);
      }
    }
    expect(dev.map(kindOf)).toContain("Deployment/smsc-simulator");
    expect(prod.map(kindOf).filter((k) => k.includes("smsc-simulator"))).toEqual([]);
    expect(dev.map(kindOf)).toContain("Cluster/smsgw-pg");
  });

  it("when dev runs, every reference resolves and each service accepts its real environment", () => {
    const secrets = named(dev, "Secret");
    const configMaps = named(dev, "ConfigMap");
    const refs = references(dev);
    const available = [...secrets.keys(), ...certificateSecrets(dev)];
    for (const s of refs.secrets) expect(available, s).toContain(s);
    for (const c of refs.configMaps) expect([...configMaps.keys()], c).toContain(c);
    const decoded = (name: string, key: string) =>
      Buffer.from(String(obj(obj(secrets.get(name)).data)[key]), "base64").toString("utf8");
    const problems: string[] = [];
    for (const facts of SERVICES) {
      const w = dev.find(
        (d) => WORKLOADS.has(String(d.kind)) && obj(d.metadata).name === facts.name,
      );
      const c = obj(containers(obj(w, facts.name))[0]);
      const { env, fromRefs } = containerEnv(c, configMaps);
      for (const [key, from] of Object.entries(fromRefs)) {
        const ref = from.secretKeyRef ? obj(from.secretKeyRef) : undefined;
        // An optional reference to a key the Secret does not have leaves the variable unset.
        const data = ref ? obj(obj(secrets.get(String(ref.name))).data) : {};
        if (ref?.optional === true && !(String(ref.key) in data)) continue;
        env[key] = ref ? decoded(String(ref.name), String(ref.key)) : `${facts.name}-0`;
      }
      problems.push(...envProblems(facts, env));
    }
    expect(problems).toEqual([]);
  });

  it("when the dev connector seeds its carriers, they are the simulator's", () => {
    const secret = [...named(dev, "Secret").entries()].find(([n]) =>
      n.startsWith("smsgw-carriers"),
    );
    const seed = JSON.parse(
      Buffer.from(String(obj(obj(secret?.[1]).data)["carriers.json"]), "base64").toString(),
    ) as Obj[];
    const sim = obj(named(dev, "Service").get("smsc-simulator"));
    const ports = list(obj(sim.spec).ports).map((p) => obj(p).port);
    expect(seed.length).toBeGreaterThan(0);
    for (const carrier of seed) {
      expect(carrier.host).toBe("smsc-simulator");
      expect(ports).toContain(carrier.port);
      // Flagged, so routing sends test accounts' messages to them (and only to simulators).
      expect(carrier.simulated, String(carrier.id)).toBe(true);
    }
  });

  it("when production runs, every Secret comes from the secret store, one shard key per pod", () => {
    expect(prod.filter((d) => d.kind === "Secret")).toEqual([]);
    const external = prod.filter((d) => d.kind === "ExternalSecret");
    const targets = external.map((d) => String(obj(obj(d.spec).target).name));
    const available = [...targets, ...certificateSecrets(prod)];
    for (const s of references(prod).secrets) expect(available, s).toContain(s);
    const carriers = obj(external.find((d) => obj(d.metadata).name === "smsgw-carriers"));
    const keys = list(obj(carriers.spec).data).map((d) => String(obj(d).secretKey));
    expect(keys).toEqual(["carriers.json", "secrets-key"]);
    expect(connectorReplicas(prod)).toBeGreaterThanOrEqual(2); // binds survive a pod's loss
    const hpas = prod.filter((d) => d.kind === "HorizontalPodAutoscaler");
    expect(hpas.length).toBe(SERVICES.filter((s) => s.production && s.stateless).length);
    for (const h of hpas) expect(Number(obj(h.spec).minReplicas)).toBeGreaterThanOrEqual(2);
  });
});

/** `Kind/name` of the workloads an HPA scales whose own spec sets replicas. */
function replicasUnderHpa(docs: Obj[]): string[] {
  return docs
    .filter((d) => d.kind === "HorizontalPodAutoscaler")
    .map((h) => obj(obj(h.spec).scaleTargetRef))
    .flatMap((ref) =>
      docs.filter(
        (d) =>
          d.kind === ref.kind &&
          obj(d.metadata).name === ref.name &&
          obj(d.spec).replicas !== undefined,
      ),
    )
    .map(kindOf);
}

describe("HPAs own the replica counts", () => {
  const builds = ["k8s/base", "k8s/overlays/dev", "k8s/overlays/production"];

  it.each(builds)(
    "when %s is applied, no workload an HPA scales sets spec.replicas (apply would reset the scale)",
    (dir) => {
      const docs = renderer.render(dir);
      const hpas = docs.filter((d) => d.kind === "HorizontalPodAutoscaler");
      expect(hpas.length).toBe(SERVICES.filter((s) => s.production && s.stateless).length);
      // Every HPA's target exists.
      for (const h of hpas) {
        const ref = obj(obj(h.spec).scaleTargetRef);
        expect(docs.map(kindOf), kindOf(h)).toContain(`${ref.kind}/${ref.name}`);
      }
      expect(replicasUnderHpa(docs)).toEqual([]);
    },
  );

  it("when a Deployment under an HPA sets replicas, the check names it", () => {
    const docs = renderer.render("k8s/base");
    const ingress = obj(docs.find((d) => kindOf(d) === "Deployment/ingress"));
    obj(ingress.spec).replicas = 2;
    expect(replicasUnderHpa(docs)).toEqual(["Deployment/ingress"]);
  });
});
