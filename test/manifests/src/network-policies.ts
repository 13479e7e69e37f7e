import { list, type Obj, obj, str } from "./repo.ts";

/**
 * Kubernetes NetworkPolicy ingress semantics, enough to answer "may this pod reach that port"
 * on rendered manifests: a pod selected by no policy with the Ingress type accepts everything;
 * a selected one accepts what any rule of any of its policies allows (a rule's `from` peers,
 * OR'ed; its `ports`, by number or the pod's named port; an empty list allows all).
 */
export interface Pod {
  /** A name for messages: `namespace/name`. */
  id: string;
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  /** Container ports by name (unnamed ones under their number). */
  ports: Record<string, number>;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  const s = (selector ?? {}) as Selector;
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const e of s.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key] ?? "";
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(value))) return false;
    if (e.operator === "NotIn" && has && values.includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function peerAllows(peer: Obj, policyNamespace: string, source: Pod): boolean {
  if (peer.ipBlock) return false; // addresses outside the cluster: none of our sources
  const nsSelector = peer.namespaceSelector as Obj | undefined;
  const podSelector = peer.podSelector as Obj | undefined;
  const namespaceOk = nsSelector
    ? selects(nsSelector, source.namespaceLabels)
    : source.namespace === policyNamespace;
  const podOk = podSelector ? selects(podSelector, source.labels) : true;
  return namespaceOk && podOk;
}

function portAllows(port: Obj, target: Pod, number: number): boolean {
  const wanted = port.port;
  if (wanted === undefined) return true;
  if (typeof wanted === "number") return wanted === number;
  return target.ports[String(wanted)] === number;
}

/** Whether `source` may open a connection to `target`'s port `number` under `policies`. */
export function allowed(policies: Obj[], source: Pod, target: Pod, number: number): boolean {
  const selecting = policies.filter((p) => {
    const meta = obj(p.metadata);
    const spec = obj(p.spec);
    const types = list(spec.policyTypes).map(String);
    const ingressType = types.length === 0 ? true : types.includes("Ingress");
    return (
      ingressType &&
      (str(meta.namespace) ?? target.namespace) === target.namespace &&
      selects(spec.podSelector as Obj, target.labels)
    );
  });
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    list(obj(p.spec).ingress).some((raw) => {
      const rule = obj(raw);
      const from = list(rule.from).map((peer) => obj(peer));
      const ports = list(rule.ports).map((port) => obj(port));
      const fromOk =
        from.length === 0 || from.some((peer) => peerAllows(peer, target.namespace, source));
      const portOk = ports.length === 0 || ports.some((port) => portAllows(port, target, number));
      return fromOk && portOk;
    }),
  );
}

/** The pods a rendered overlay runs (Deployments, StatefulSets), in `namespace`. */
export function workloadPods(docs: Obj[], namespace: string): Pod[] {
  return docs
    .filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")
    .map((d) => {
      const template = obj(obj(d.spec).template);
      const labels = obj(obj(template.metadata).labels) as Record<string, string>;
      const ports: Record<string, number> = {};
      for (const c of list(obj(template.spec).containers)) {
        for (const p of list(obj(c).ports)) {
          const port = obj(p);
          ports[str(port.name) ?? String(port.containerPort)] = Number(port.containerPort);
        }
      }
      return {
        id: `${namespace}/${str(obj(d.metadata).name)}`,
        namespace,
        namespaceLabels: { "kubernetes.io/metadata.name": namespace },
        labels,
        ports,
      };
    });
}

/** A pod of another namespace (Prometheus, the ingress controller, an unrelated workload). */
export function outsidePod(namespace: string, labels: Record<string, string> = {}): Pod {
  return {
    id: `${namespace}/${labels["app.kubernetes.io/name"] ?? "any"}`,
    namespace,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace },
    labels,
    ports: {},
  };
}

/**
 * Every `source -> target:port` the policies allow, over every port of every target pod; a pod
 * to itself stands for one replica to another.
 */
export function allowedConnections(policies: Obj[], sources: Pod[], targets: Pod[]): string[] {
  const out: string[] = [];
  for (const target of targets) {
    for (const [name, number] of Object.entries(target.ports)) {
      for (const source of sources) {
        if (allowed(policies, source, target, number)) {
          out.push(`${source.id} -> ${target.id}:${name}`);
        }
      }
    }
  }
  return out.sort();
}
