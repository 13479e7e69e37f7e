import { describe, expect, it } from "vitest";
import { findRenderer, renderProductionWith } from "./k8s.ts";
import {
  allowed,
  allowedConnections,
  outsidePod,
  type Pod,
  workloadPods,
} from "./network-policies.ts";
import type { Obj } from "./repo.ts";

/**
 * The NetworkPolicies (default deny, k8s/base/network-policies.yaml and the components'),
 * evaluated on the rendered overlays over every port of every pod, from every pod and from
 * the outside actors a cluster has: what they allow must be exactly the connections the
 * gateway needs, nothing more (a forgotten one breaks the gateway, an extra one is a hole).
 */
const renderer = findRenderer();
const policiesOf = (docs: Obj[]) => docs.filter((d) => d.kind === "NetworkPolicy");

const prometheus = outsidePod("monitoring", { "app.kubernetes.io/name": "prometheus" });
const ingressController = outsidePod("ingress-nginx", {
  "app.kubernetes.io/name": "ingress-nginx",
});
const keda = outsidePod("keda", { "app.kubernetes.io/name": "keda-operator" });
const cnpgOperator = outsidePod("cnpg-system", { "app.kubernetes.io/name": "cloudnative-pg" });
const stranger = outsidePod("other", { "app.kubernetes.io/name": "anything" });
const outside = [prometheus, ingressController, keda, cnpgOperator, stranger];

const SERVICES = [
  "ingress",
  "pricing",
  "routing",
  "carrier-connector",
  "dlr-dispatcher",
  "event-store",
  "console",
  "smpp-server",
  "inbound",
];
/** The services with a schema, reaching PostgreSQL through the pooler (all of them since ADR 0027). */
const WITH_DATABASE = SERVICES;

/** What the gateway needs in every overlay (namespace `ns`). */
function needed(ns: string): string[] {
  return [
    ...SERVICES.map((s) => `${ns}/${s} -> ${ns}/nats:client`),
    `${ns}/nats -> ${ns}/nats:cluster`,
    `monitoring/prometheus -> ${ns}/nats:metrics`,
    ...SERVICES.map((s) => `monitoring/prometheus -> ${ns}/${s}:health`),
    `ingress-nginx/ingress-nginx -> ${ns}/ingress:http`,
    `ingress-nginx/ingress-nginx -> ${ns}/console:http`,
    `${ns}/console -> ${ns}/ingress:http`,
  ];
}

/** The CloudNativePG pods the operator creates from the Cluster and the Pooler (labels as it sets them). */
function postgresPods(ns: string): Pod[] {
  const pod = (name: string, labels: Record<string, string>, ports: Record<string, number>) => ({
    id: `${ns}/${name}`,
    namespace: ns,
    namespaceLabels: { "kubernetes.io/metadata.name": ns },
    labels,
    ports,
  });
  return [
    pod(
      "smsgw-pg-pooler-rw",
      { "cnpg.io/poolerName": "smsgw-pg-pooler-rw", "cnpg.io/podRole": "pooler" },
      { pgbouncer: 5432, metrics: 9127 },
    ),
    pod(
      "smsgw-pg",
      { "cnpg.io/cluster": "smsgw-pg", "cnpg.io/podRole": "instance" },
      { postgresql: 5432, status: 8000, metrics: 9187 },
    ),
  ];
}

const connections = (docs: Obj[], pods: Pod[]) =>
  allowedConnections(policiesOf(docs), [...pods, ...outside], pods);

describe("NetworkPolicies", () => {
  it("when production is rendered, exactly the connections the gateway needs are allowed", () => {
    const docs = renderer.render("k8s/overlays/production");
    expect(connections(docs, workloadPods(docs, "smsgw"))).toEqual(needed("smsgw").sort());
  });

  it("when dev is rendered (simulator, in-cluster PostgreSQL), exactly those plus the simulator's and PostgreSQL's are allowed", () => {
    const ns = "smsgw-dev";
    const docs = renderer.render("k8s/overlays/dev");
    const pods = [...workloadPods(docs, ns), ...postgresPods(ns)];
    expect(connections(docs, pods)).toEqual(
      [
        ...needed(ns),
        `monitoring/prometheus -> ${ns}/smsc-simulator:health`,
        `${ns}/carrier-connector -> ${ns}/smsc-simulator:smpp-a`,
        `${ns}/carrier-connector -> ${ns}/smsc-simulator:smpp-b`,
        ...WITH_DATABASE.map((s) => `${ns}/${s} -> ${ns}/smsgw-pg-pooler-rw:pgbouncer`),
        `${ns}/smsgw-pg-pooler-rw -> ${ns}/smsgw-pg:postgresql`,
        `${ns}/smsgw-pg -> ${ns}/smsgw-pg:postgresql`,
        `cnpg-system/cloudnative-pg -> ${ns}/smsgw-pg:status`,
        `monitoring/prometheus -> ${ns}/smsgw-pg-pooler-rw:metrics`,
        `monitoring/prometheus -> ${ns}/smsgw-pg:metrics`,
      ].sort(),
    );
  });

  it("when the KEDA component is added, its operator also reads NATS's monitor port, nothing else", () => {
    const docs = renderProductionWith(renderer, "k8s/components/keda");
    expect(connections(docs, workloadPods(docs, "smsgw"))).toEqual(
      [...needed("smsgw"), "keda/keda-operator -> smsgw/nats:monitor"].sort(),
    );
  });

  it("when a policy is missing, the evaluation notices: without default deny a stranger reaches NATS", () => {
    const docs = renderer.render("k8s/overlays/production");
    const pods = workloadPods(docs, "smsgw");
    const nats = pods.find((p) => p.id === "smsgw/nats") as Pod;
    const port = nats.ports.client ?? 0;
    expect(allowed(policiesOf(docs), stranger, nats, port)).toBe(false);
    const withoutNats = policiesOf(docs).filter(
      (p) => !["nats", "default-deny-ingress"].includes(String((p.metadata as Obj).name)),
    );
    expect(allowed(withoutNats, stranger, nats, port)).toBe(true);
  });
});
