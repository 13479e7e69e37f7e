import { describe, expect, it } from "vitest";
import { findRenderer, kindOf } from "./k8s.ts";
import { ALERTS, expectedPrometheusRule, PROMETHEUS_RULE } from "./prometheus-rule.ts";
import { filesUnder, list, type Obj, obj, read, SERVICES, yamlDocs } from "./repo.ts";
import {
  composeTargets,
  groupingLabelsIn,
  type Labels,
  matches,
  podMonitorTargets,
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
const catalog = seriesCatalog();

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
const panelQueries: Query[] = filesUnder("deploy/grafana/dashboards", /\.json$/).flatMap((path) =>
  list((JSON.parse(read(path)) as Obj).panels).flatMap((p) =>
    list(obj(p).targets).map((t) => ({
      where: `${path} "${String(obj(p).title)}"`,
      expr: String(obj(t).expr),
      prints: [...String(obj(t).legendFormat ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(
        (m) => m[1] ?? "",
      ),
    })),
  ),
);

const DEFAULT_SERIES = ["smsgw_process_", "smsgw_nodejs_"]; // prom-client's, labels of their own
const baseName = (metric: string) => metric.replace(/_(bucket|count|sum)$/, "");
const metricLabels = (metric: string): string[] => [
  ...(catalog.get(baseName(metric)) ?? catalog.get(metric) ?? []),
  ...(metric.endsWith("_bucket") ? ["le"] : []),
];

/** What in one query the scrapes do not provide; [] when every label is there. */
function labelProblems(q: Query, scrapes: Record<string, Labels[]>): string[] {
  const problems: string[] = [];
  const selectors = selectorsIn(q.expr);
  const ownLabels = new Set(selectors.flatMap((s) => metricLabels(s.metric)));
  for (const s of selectors) {
    const known =
      s.metric === "up" ||
      catalog.has(baseName(s.metric)) ||
      catalog.has(s.metric) ||
      DEFAULT_SERIES.some((p) => s.metric.startsWith(p));
    if (!known) problems.push(`${q.where}: ${s.metric} is not a series the code defines`);
    for (const m of s.matchers) {
      if (metricLabels(s.metric).includes(m.label)) continue;
      for (const [scrape, targets] of Object.entries(scrapes)) {
        const labelled = targets.length > 0 && targets.every((t) => m.label in t);
        if (!labelled || !targets.some((t) => matches(m, t))) {
          problems.push(
            `${q.where}: ${s.metric}{${m.label}${m.op}"${m.value}"} matches no ${scrape} target`,
          );
        }
      }
    }
  }
  for (const label of [...groupingLabelsIn(q.expr), ...q.prints]) {
    if (ownLabels.has(label)) continue;
    for (const [scrape, targets] of Object.entries(scrapes)) {
      if (targets.length === 0 || !targets.every((t) => label in t)) {
        problems.push(`${q.where}: label ${label} is neither the series' nor ${scrape}'s`);
      }
    }
  }
  return problems;
}

describe("monitoring on Kubernetes (Prometheus Operator) and in compose", () => {
  const scrapes = {
    compose: composeTargets(prometheus, "smsgw"),
    kubernetes: podMonitorTargets(podMonitor, production),
  };

  it("when the PodMonitor scrapes production, every service is a target at its health port, labelled as in compose", () => {
    const k8s = scrapes.kubernetes.map((t) => `${t.job} ${t.service} ${t.instance?.split(":")[1]}`);
    const expected = SERVICES.filter((s) => s.production).map(
      (s) => `smsgw ${s.name} ${s.healthPort}`,
    );
    expect(k8s.sort()).toEqual(expected.sort());
    for (const t of scrapes.kubernetes) expect(t.namespace).toBe("smsgw");
    const compose = scrapes.compose.map(
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
    const broken = { ...scrapes, kubernetes: podMonitorTargets(bare, production) };
    const problems = [...alertQueries, ...panelQueries].flatMap((q) => labelProblems(q, broken));
    expect(problems).toContain('alert ServiceDown: up{job="smsgw"} matches no kubernetes target');
    expect(problems).toContain(
      "alert ServiceDown: label service is neither the series' nor kubernetes's",
    );
    expect(problems.some((p) => p.includes('{service="ingress"} matches no kubernetes'))).toBe(
      true,
    );
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
