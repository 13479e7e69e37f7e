import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { filesUnder, list, type Obj, obj, ROOT, read, str } from "./repo.ts";

/**
 * The labels a scrape gives each target, as compose's Prometheus and the Prometheus
 * Operator's PodMonitor produce them, and the label selectors of PromQL expressions: enough
 * to check that what the alerts and dashboards select on exists where they run.
 */
export type Labels = Record<string, string>;

/** Target labels of compose's Prometheus (deploy/prometheus/prometheus.yml), one per target. */
export function composeTargets(prometheus: Obj, job: string): Labels[] {
  const config = list(prometheus.scrape_configs)
    .map((c) => obj(c))
    .find((c) => c.job_name === job);
  return list(obj(config, `scrape config ${job}`).static_configs).flatMap((s) => {
    const group = obj(s);
    const labels = Object.fromEntries(
      Object.entries(obj(group.labels ?? {})).map(([k, v]) => [k, String(v)]),
    );
    return list(group.targets).map((t) => ({ job, instance: String(t), ...labels }));
  });
}

export class RelabelError extends Error {
  override name = "RelabelError";
}

/** Prometheus's relabeling (the actions the PodMonitor uses; any other is refused). */
export function relabel(labels: Labels, rules: Obj[]): Labels | undefined {
  let out: Labels = { ...labels };
  for (const rule of rules) {
    const action = str(rule.action) ?? "replace";
    const sources = list(rule.sourceLabels).map(String);
    const value = sources.map((s) => out[s] ?? "").join(str(rule.separator) ?? ";");
    const regex = new RegExp(`^(?:${str(rule.regex) ?? "(.*)"})$`);
    const match = regex.exec(value);
    if (action === "keep" && !match) return undefined;
    if (action === "drop" && match) return undefined;
    if (action === "replace") {
      if (!match) continue;
      const target = str(rule.targetLabel);
      if (!target) throw new RelabelError("replace without targetLabel");
      const replacement = (str(rule.replacement) ?? "$1").replace(
        /\$\{?(\d+)\}?/g,
        (_, i: string) => match[Number(i)] ?? "",
      );
      if (replacement === "") {
        const { [target]: _dropped, ...rest } = out;
        out = rest;
      } else out[target] = replacement;
    } else if (action !== "keep" && action !== "drop") {
      throw new RelabelError(`relabel action ${action} is not simulated here`);
    }
  }
  return Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith("__")));
}

const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_");

function selects(selector: Obj, labels: Labels): boolean {
  for (const [k, v] of Object.entries(obj(selector.matchLabels ?? {}))) {
    if (labels[k] !== String(v)) return false;
  }
  for (const e of list(selector.matchExpressions).map((x) => obj(x))) {
    const key = String(e.key);
    const values = list(e.values).map(String);
    const has = key in labels;
    const ok =
      e.operator === "In"
        ? has && values.includes(labels[key] as string)
        : e.operator === "NotIn"
          ? !has || !values.includes(labels[key] as string)
          : e.operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/**
 * The targets a PodMonitor yields over the pods of the rendered workloads: the service
 * discovery's meta labels, the operator's own relabelings (job `<namespace>/<name>`,
 * namespace, pod, container, endpoint, instance), then the PodMonitor's.
 */
export function podMonitorTargets(podMonitor: Obj, docs: Obj[]): Labels[] {
  const meta = obj(podMonitor.metadata);
  const spec = obj(podMonitor.spec);
  const workloads = docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet");
  const targets: Labels[] = [];
  for (const w of workloads) {
    const template = obj(obj(w.spec).template);
    const podLabels = Object.fromEntries(
      Object.entries(obj(obj(template.metadata).labels ?? {})).map(([k, v]) => [k, String(v)]),
    );
    if (!selects(obj(spec.selector), podLabels)) continue;
    const namespace = String(obj(w.metadata).namespace ?? "default");
    const pod = `${String(obj(w.metadata).name)}-0`;
    for (const endpoint of list(spec.podMetricsEndpoints).map((e) => obj(e))) {
      for (const c of list(obj(template.spec).containers).map((x) => obj(x))) {
        for (const p of list(c.ports).map((x) => obj(x))) {
          if (p.name !== endpoint.port) continue;
          const discovered: Labels = {
            __address__: `10.0.0.1:${String(p.containerPort)}`,
            __meta_kubernetes_namespace: namespace,
            __meta_kubernetes_pod_name: pod,
            __meta_kubernetes_pod_container_name: String(c.name),
            __meta_kubernetes_pod_container_port_name: String(p.name),
            ...Object.fromEntries(
              Object.entries(podLabels).map(([k, v]) => [
                `__meta_kubernetes_pod_label_${sanitize(k)}`,
                v,
              ]),
            ),
          };
          const operator: Labels = {
            ...discovered,
            instance: discovered.__address__ as string,
            namespace,
            pod,
            container: String(c.name),
            endpoint: String(p.name),
            job: `${namespace}/${String(meta.name)}`,
          };
          const labels = relabel(
            operator,
            list(endpoint.relabelings).map((r) => obj(r)),
          );
          if (labels) targets.push(labels);
        }
      }
    }
  }
  return targets;
}

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

const METRIC = /(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?/g;
const KEYWORDS = new Set([
  ...["sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile"],
  ...["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"],
  ...["bool", "offset", "inf", "nan"],
]);

/** Every series selector of a PromQL expression (functions and keywords aside). */
export function selectorsIn(promql: string): Selector[] {
  const out: Selector[] = [];
  const code = promql
    .replace(/"(?:[^"\\]|\\.)*"/g, (s) => s.replace(/[()]/g, " "))
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  for (const m of code.matchAll(METRIC)) {
    const [whole, name = "", braces] = m;
    const after = code.slice((m.index ?? 0) + whole.length).trimStart();
    if (KEYWORDS.has(name.toLowerCase()) || (!braces && after.startsWith("("))) continue;
    if (/^\d/.test(name)) continue;
    const matchers = [...(braces ?? "").matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(
      ([, label = "", op, value = ""]) => ({ label, op: op as Matcher["op"], value }),
    );
    out.push({ metric: name, matchers });
  }
  return out;
}

/** Labels named in `by`, `without`, `on` and `ignoring` clauses. */
export function groupingLabelsIn(promql: string): string[] {
  return [...promql.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap(([, l]) =>
    (l ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.label] ?? "";
  const re = () => new RegExp(`^(?:${m.value})$`);
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return re().test(v);
    case "!~":
      return !re().test(v);
  }
}

/**
 * The series the code defines and their label names: every `name: "smsgw_…"` with its
 * `labelNames` in the sources of services/ and packages/ (tests aside).
 */
export function seriesCatalog(): Map<string, string[]> {
  const catalog = new Map<string, string[]>();
  for (const top of ["services", "packages"]) {
    const srcDirs = readdirSync(join(ROOT, top))
      .map((name) => `${top}/${name}/src`)
      .filter((d) => existsSync(join(ROOT, d)));
    for (const src of srcDirs) {
      for (const file of filesUnder(src, /^(?!.*\.test\.ts$).*\.ts$/)) {
        const text = read(file);
        for (const chunk of text.split(/(?=name:\s*"smsgw_)/).slice(1)) {
          const piece = chunk.split(/\}\s*\)/)[0] ?? ""; // up to the end of its definition
          const name = /^name:\s*"(smsgw_[a-z0-9_]+)"/.exec(piece)?.[1];
          if (!name) continue;
          const labels = /labelNames:\s*\[([^\]]*)\]/.exec(piece)?.[1] ?? "";
          catalog.set(
            name,
            [...labels.matchAll(/"([a-z_]+)"/g)].map((l) => l[1] as string),
          );
        }
      }
    }
  }
  return catalog;
}

/** Where a series comes from: the scrape job that carries it and the labels it has itself. */
export interface ExporterSeries {
  job: "nats" | "postgres";
  labels: string[];
}

const JSZ_SERVER = [
  "server_id",
  "server_name",
  "cluster",
  "domain",
  "meta_leader",
  "is_meta_leader",
];
const JSZ_STREAM = [
  ...JSZ_SERVER,
  ...["account", "account_id", "stream_name", "stream_leader", "is_stream_leader"],
];
const JSZ_CONSUMER = [
  ...JSZ_STREAM,
  ...[
    "consumer_name",
    "consumer_leader",
    "is_consumer_leader",
    "consumer_desc",
    "consumer_created",
  ],
];
const BACKENDS = ["datname", "usename", "application_name", "state"];
const nats = (labels: string[]): ExporterSeries => ({ job: "nats", labels });
const postgres = (labels: string[]): ExporterSeries => ({ job: "postgres", labels });

/**
 * The series of the exporters beside the services that the alerts and dashboards read, with
 * their own labels. NATS: prometheus-nats-exporter's `-jsz=all` (collector/jsz.go);
 * CloudNativePG: the operator's default monitoring queries (config/manager/default-monitoring.yaml,
 * `cnpg_<query>_<column>`). A query naming anything else fails the label check.
 */
export const EXPORTER_SERIES: Record<string, ExporterSeries> = {
  jetstream_server_total_message_bytes: nats(JSZ_SERVER),
  jetstream_server_max_storage: nats(JSZ_SERVER),
  jetstream_server_total_streams: nats(JSZ_SERVER),
  jetstream_stream_total_bytes: nats(JSZ_STREAM),
  jetstream_stream_total_messages: nats(JSZ_STREAM),
  jetstream_stream_last_seq: nats(JSZ_STREAM),
  jetstream_stream_first_seq: nats(JSZ_STREAM),
  jetstream_consumer_num_pending: nats(JSZ_CONSUMER),
  jetstream_consumer_num_ack_pending: nats(JSZ_CONSUMER),
  jetstream_consumer_num_redelivered: nats(JSZ_CONSUMER),
  cnpg_backends_total: postgres(BACKENDS),
  cnpg_backends_max_tx_duration_seconds: postgres(BACKENDS),
  cnpg_backends_waiting_total: postgres([]),
  cnpg_pg_settings_setting: postgres(["name"]),
  cnpg_pg_replication_lag: postgres([]),
  cnpg_pg_database_size_bytes: postgres(["datname"]),
  cnpg_pg_stat_database_xact_commit: postgres(["datname"]),
  cnpg_pg_stat_database_deadlocks: postgres(["datname"]),
};

/**
 * The instance pods CloudNativePG creates for a Cluster (they are not in the manifests): the
 * labels and ports its documentation gives them, for podMonitorTargets.
 */
export function cnpgInstancePods(cluster: string, namespace: string): Obj[] {
  return ["primary", "replica"].map((role, i) => ({
    kind: "StatefulSet",
    metadata: { name: `${cluster}-${i + 1}`, namespace },
    spec: {
      template: {
        metadata: {
          labels: {
            "cnpg.io/cluster": cluster,
            "cnpg.io/podRole": "instance",
            "cnpg.io/instanceRole": role,
          },
        },
        spec: {
          containers: [
            {
              name: "postgres",
              ports: [
                { name: "postgresql", containerPort: 5432 },
                { name: "metrics", containerPort: 9187 },
              ],
            },
          ],
        },
      },
    },
  }));
}
