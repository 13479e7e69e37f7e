import { describe, expect, it } from "vitest";
import { findRenderer, kindOf } from "./k8s.ts";
import { ALERTS, expectedPrometheusRule, PROMETHEUS_RULE } from "./prometheus-rule.ts";
import { filesUnder, list, type Obj, obj, read, SERVICES, yamlDocs } from "./repo.ts";
import {
  cnpgInstancePods,
  composeTargets,
  EXPORTER_SERIES,
  groupingLabelsIn,
  type Labels,
  matches,
  podMonitorTargets,
  type Selector,
  selectorsIn,
  seriesCatalog,
} from "./scrape-labels.ts";
import { parseYaml } from "./yaml.ts";

/**
 * The same alerts and dashboards serve compose's Prometheus and a Prometheus Operator on
 * Kubernetes: each label they select on, group by or print must exist in both scrapes, and
 * each series they query must be one the code defines.
 */
const renderer = findRenderer();
const production = renderer.render("k8s/overlays/production");
const prometheus = obj(yamlDocs("deploy/prometheus/prometheus.yml")[0]);
const podMonitor = obj(
  production.find((d) => kindOf(d) === "PodMonitor/smsgw"),
  "PodMonitor",
);
const natsMonitor = obj(
  production.find((d) => kindOf(d) === "PodMonitor/nats"),
  "PodMonitor nats",
);
// Production with in-cluster PostgreSQL adds this component (dev has no Prometheus Operator).
const pgMonitor = obj(yamlDocs("k8s/components/cloudnative-pg/monitoring/podmonitor.yaml")[0]);
const catalog = seriesCatalog();

/** Per place (compose, kubernetes), the targets of each scrape job it has. */
type Scrapes = Record<string, Record<string, Labels[]>>;

interface Query {
  where: string;
  expr: string;
  /** Labels printed: an alert's `$labels.x`, a panel's `{{x}}`. */
  prints: string[];
}

const rules = list(obj(yamlDocs(ALERTS)[0]).groups)
  .flatMap((g) => list(obj(g).rules))
  .map((r) => obj(r));
const alertQueries: Query[] = rules.map((r) => ({
  where: `alert ${String(r.alert)}`,
  expr: String(r.expr),
  prints: [...JSON.stringify(r.annotations).matchAll(/\$labels\.(\w+)/g)].map((m) => m[1] ?? ""),
}));
const dashboards = filesUnder("deploy/grafana/dashboards", /\.json$/).map(
  (path) => [path, JSON.parse(read(path)) as Obj] as const,
);
/** A dashboard's variables (namespace, pod, carrier) and the query that lists each one's values. */
const variablesOf = (dashboard: Obj) =>
  list(obj(dashboard.templating ?? {}).list).map((v) => ({
    name: String(obj(v).name),
    query: String(obj(obj(v).query).query),
  }));
/** A panel's query as Prometheus runs it with every variable at "All" (its allValue, .*). */
const atAll = (expr: string) => expr.replace(/\$(namespace|pod|carrier)\b/g, ".*");
const panelQueries: Query[] = dashboards.flatMap(([path, dashboard]) =>
  list(dashboard.panels).flatMap((p) =>
    list(obj(p).targets).map((t) => ({
      where: `${path} "${String(obj(p).title)}"`,
      expr: atAll(String(obj(t).expr)),
      prints: [...String(obj(t).legendFormat ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(
        (m) => m[1] ?? "",
      ),
    })),
  ),
);

const DEFAULT_SERIES = ["smsgw_process_", "smsgw_nodejs_"]; // prom-client's, labels of their own
const baseName = (metric: string) => metric.replace(/_(bucket|count|sum)$/, "");
const metricLabels = (metric: string): string[] => [
  ...(catalog.get(baseName(metric)) ??
    catalog.get(metric) ??
    EXPORTER_SERIES[metric]?.labels ??
    []),
  ...(metric.endsWith("_bucket") ? ["le"] : []),
];
/** The scrape job a selector reads: an exporter's, `up`'s own job matcher, else the services'. */
const jobOf = (s: Selector): string =>
  EXPORTER_SERIES[s.metric]?.job ??
  (s.metric === "up"
    ? s.matchers.find((m) => m.label === "job" && m.op === "=")?.value
    : undefined) ??
  "smsgw";

/**
 * What in one query the scrapes do not provide; [] when every label is there. Each selector is
 * checked against the targets of its job wherever that job is scraped (compose has no Postgres
 * exporter: the Postgres rules are Kubernetes's only), and a job scraped nowhere is a problem.
 */
function labelProblems(q: Query, scrapes: Scrapes): string[] {
  const problems: string[] = [];
  const selectors = selectorsIn(q.expr);
  const ownLabels = new Set(selectors.flatMap((s) => metricLabels(s.metric)));
  const places = (job: string) =>
    Object.entries(scrapes).flatMap(([place, jobs]) => {
      const targets = jobs[job];
      return targets ? [[place, targets] as const] : [];
    });
  for (const s of selectors) {
    const known =
      s.metric === "up" ||
      catalog.has(baseName(s.metric)) ||
      catalog.has(s.metric) ||
      s.metric in EXPORTER_SERIES ||
      DEFAULT_SERIES.some((p) => s.metric.startsWith(p));
    if (!known) problems.push(`${q.where}: ${s.metric} is not a series the code defines`);
    if (places(jobOf(s)).length === 0) problems.push(`${q.where}: no scrape has job ${jobOf(s)}`);
    for (const m of s.matchers) {
      if (metricLabels(s.metric).includes(m.label)) continue;
      for (const [place, targets] of places(jobOf(s))) {
        const labelled = targets.length > 0 && targets.every((t) => m.label in t);
        if (!labelled || !targets.some((t) => matches(m, t))) {
          problems.push(
            `${q.where}: ${s.metric}{${m.label}${m.op}"${m.value}"} matches no ${place} target`,
          );
        }
      }
    }
  }
  const jobs = new Set(selectors.map(jobOf));
  for (const label of new Set([...groupingLabelsIn(q.expr), ...q.prints])) {
    if (ownLabels.has(label)) continue;
    const lacking = new Set(
      [...jobs].flatMap((job) =>
        places(job)
          .filter(([, targets]) => targets.length === 0 || !targets.every((t) => label in t))
          .map(([place]) => place),
      ),
    );
    for (const place of lacking) {
      problems.push(`${q.where}: label ${label} is neither the series' nor ${place}'s`);
    }
  }
  return problems;
}

describe("monitoring on Kubernetes (Prometheus Operator) and in compose", () => {
  const scrapes: Scrapes = {
    compose: {
      smsgw: composeTargets(prometheus, "smsgw"),
      nats: composeTargets(prometheus, "nats"),
    },
    kubernetes: {
      smsgw: podMonitorTargets(podMonitor, production),
      nats: podMonitorTargets(natsMonitor, production),
      postgres: podMonitorTargets(pgMonitor, cnpgInstancePods("smsgw-pg", "smsgw")),
    },
  };

  it("when the PodMonitor scrapes production, every service is a target at its health port, labelled as in compose", () => {
    const k8s = (scrapes.kubernetes?.smsgw ?? []).map(
      (t) => `${t.job} ${t.service} ${t.instance?.split(":")[1]}`,
    );
    const expected = SERVICES.filter((s) => s.production).map(
      (s) => `smsgw ${s.name} ${s.healthPort}`,
    );
    expect(k8s.sort()).toEqual(expected.sort());
    for (const t of scrapes.kubernetes?.smsgw ?? []) expect(t.namespace).toBe("smsgw");
    const compose = (scrapes.compose?.smsgw ?? []).map(
      (t) => `${t.job} ${t.service} ${t.instance?.split(":")[1]}`,
    );
    expect(compose).toEqual(expect.arrayContaining(expected));
  });

  it("when an alert or a panel selects, groups or prints a label, both scrapes provide it", () => {
    expect(alertQueries.length).toBe(rules.length);
    expect(panelQueries.length).toBeGreaterThan(20);
    const problems = [...alertQueries, ...panelQueries].flatMap((q) => labelProblems(q, scrapes));
    expect(problems).toEqual([]);
  });

  it("when the PodMonitor lacks the service relabeling, the check names what breaks", () => {
    const bare = structuredClone(podMonitor);
    for (const e of list(obj(bare.spec).podMetricsEndpoints)) obj(e).relabelings = [];
    const broken = {
      ...scrapes,
      kubernetes: { ...scrapes.kubernetes, smsgw: podMonitorTargets(bare, production) },
    };
    const problems = [...alertQueries, ...panelQueries].flatMap((q) => labelProblems(q, broken));
    expect(problems).toContain('alert ServiceDown: up{job="smsgw"} matches no kubernetes target');
    expect(problems).toContain(
      "alert ServiceDown: label service is neither the series' nor kubernetes's",
    );
    expect(problems.some((p) => p.includes('{service="ingress"} matches no kubernetes'))).toBe(
      true,
    );
  });

  it("when NATS and PostgreSQL are scraped, their exporters are targets labelled as the rules expect", () => {
    const nats = (scrapes.kubernetes?.nats ?? []).map((t) => `${t.job} ${t.pod} ${t.instance}`);
    expect(nats).toEqual(["nats nats-0 10.0.0.1:7777"]);
    expect((scrapes.compose?.nats ?? []).map((t) => t.job)).toEqual(["nats"]);
    const pg = (scrapes.kubernetes?.postgres ?? []).map((t) => `${t.job} ${t.role} ${t.namespace}`);
    expect(pg).toEqual(["postgres primary smsgw", "postgres replica smsgw"]);
    // The rules of both exporters are among those checked above.
    const exporterRules = alertQueries.filter((q) =>
      selectorsIn(q.expr).some((s) => s.metric in EXPORTER_SERIES),
    );
    expect(exporterRules.map((q) => q.where)).toEqual(
      expect.arrayContaining([
        "alert JetStreamStorageNearFull",
        "alert PostgresConnectionsNearMax",
      ]),
    );
  });

  it("when the NATS PodMonitor lacks its job relabeling, the JetStream rules match nothing there", () => {
    const bare = structuredClone(natsMonitor);
    for (const e of list(obj(bare.spec).podMetricsEndpoints)) obj(e).relabelings = [];
    const broken = {
      ...scrapes,
      kubernetes: { ...scrapes.kubernetes, nats: podMonitorTargets(bare, production) },
    };
    const problems = alertQueries.flatMap((q) => labelProblems(q, broken));
    expect(problems).toContain(
      'alert JetStreamStorageNearFull: jetstream_server_max_storage{job="nats"} matches no kubernetes target',
    );
    const nowhere = { compose: { smsgw: scrapes.compose?.smsgw ?? [] } };
    expect(alertQueries.flatMap((q) => labelProblems(q, nowhere))).toContain(
      "alert PostgresDown: no scrape has job postgres",
    );
  });

  it("when a dashboard has namespace, pod or carrier variables, their values come from labels both scrapes have", () => {
    const problems = dashboards.flatMap(([path, dashboard]) =>
      variablesOf(dashboard).flatMap((v) => {
        const [, selector = "", label = ""] = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query) ?? [];
        if (!selector) return [`${path} $${v.name}: not a label_values query`];
        const q = { where: `${path} $${v.name}`, expr: atAll(selector), prints: [label] };
        return labelProblems(q, scrapes);
      }),
    );
    expect(problems).toEqual([]);
    const names = dashboards.map(
      ([path, d]) =>
        `${path.split("/").at(-1)}: ${variablesOf(d)
          .map((v) => v.name)
          .join(" ")}`,
    );
    expect(names).toContain("carriers.json: namespace pod carrier");
  });

  it("when a dashboard has a variable, every query it can narrow is narrowed by it", () => {
    const problems: string[] = [];
    for (const [path, dashboard] of dashboards) {
      const variables = variablesOf(dashboard).map((v) => v.name);
      for (const p of list(dashboard.panels).map((x) => obj(x))) {
        for (const t of list(p.targets).map((x) => obj(x))) {
          for (const s of selectorsIn(String(t.expr))) {
            const narrowed = (label: string) =>
              s.matchers.some((m) => m.label === label && m.op === "=~" && m.value === `$${label}`);
            const applies = (v: string) =>
              v === "carrier"
                ? metricLabels(s.metric).includes("carrier")
                : v === "namespace" || s.metric.startsWith("smsgw_");
            for (const v of variables.filter(applies)) {
              if (!narrowed(v))
                problems.push(`${path} "${String(p.title)}": ${s.metric} ignores $${v}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("when a query names a series or a label nobody produces, the check names it", () => {
    const invented: Query = {
      where: "invented",
      expr: 'sum by (pod_name) (rate(smsgw_jetstream_bytes_total{stream="sms"}[5m]))',
      prints: ["team"],
    };
    expect(labelProblems(invented, scrapes)).toEqual([
      "invented: smsgw_jetstream_bytes_total is not a series the code defines",
      'invented: smsgw_jetstream_bytes_total{stream="sms"} matches no compose target',
      'invented: smsgw_jetstream_bytes_total{stream="sms"} matches no kubernetes target',
      "invented: label pod_name is neither the series' nor compose's",
      "invented: label pod_name is neither the series' nor kubernetes's",
      "invented: label team is neither the series' nor compose's",
      "invented: label team is neither the series' nor kubernetes's",
    ]);
  });

  it("when the rules change, the PrometheusRule is still alerts.yml byte for byte", () => {
    // Regenerate with: node test/manifests/src/prometheus-rule.ts --write
    expect(read(PROMETHEUS_RULE)).toBe(expectedPrometheusRule());
    const rule = obj(parseYaml(read(PROMETHEUS_RULE)));
    expect(rule.spec).toEqual(parseYaml(read(ALERTS)));
    const rendered = production.find((d) => kindOf(d) === "PrometheusRule/smsgw");
    expect(obj(obj(rendered).spec).groups).toEqual(obj(parseYaml(read(ALERTS))).groups);
  });
});
