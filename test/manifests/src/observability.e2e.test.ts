import { describe, expect, it } from "vitest";
import { filesUnder, list, type Obj, obj, read, SERVICES, str, yamlDocs } from "./repo.ts";

const prometheus = obj(yamlDocs("deploy/prometheus/prometheus.yml")[0]);
const alerts = obj(yamlDocs("deploy/prometheus/alerts.yml")[0]);
const rules = list(alerts.groups).flatMap((g) => list(obj(g).rules).map((r) => obj(r)));
const dashboards = filesUnder("deploy/grafana/dashboards", /\.json$/).map(
  (path) => [path, JSON.parse(read(path)) as Obj] as const,
);
const exprs = (dashboard: Obj): string[] =>
  list(dashboard.panels).flatMap((p) => list(obj(p).targets).map((t) => String(obj(t).expr)));

/** smsgw_* series named in PromQL, histogram suffixes removed. */
const seriesIn = (promql: string) =>
  [...promql.matchAll(/\bsmsgw_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ""));

describe("Prometheus, alerts, Grafana and the collector", () => {
  it("when Prometheus scrapes, every service's /metrics is a target at its health port", () => {
    const targets = list(prometheus.scrape_configs)
      .map((c) => obj(c))
      .filter((c) => c.job_name === "smsgw")
      .flatMap((c) => list(c.static_configs).flatMap((s) => list(obj(s).targets).map(String)));
    expect(targets.sort()).toEqual(SERVICES.map((s) => `${s.name}:${s.healthPort}`).sort());
    expect(list(prometheus.rule_files)).toContain("/etc/prometheus/alerts.yml");
  });

  it("when an alert fires, it has a severity, a summary and a runbook section", () => {
    const runbook = read("docs/runbook.md");
    expect(rules.length).toBeGreaterThan(5);
    const names = new Set<string>();
    for (const rule of rules) {
      const name = String(rule.alert);
      expect(names.has(name), name).toBe(false);
      names.add(name);
      expect(str(rule.expr), name).toBeTruthy();
      expect(["page", "warn", "info"]).toContain(obj(rule.labels).severity);
      const annotations = obj(rule.annotations);
      expect(str(annotations.summary), name).toBeTruthy();
      expect(annotations.runbook).toBe(`docs/runbook.md#${name.toLowerCase()}`);
      expect(runbook, `runbook heading for ${name}`).toMatch(new RegExp(`^#### ${name}$`, "m"));
    }
  });

  it("when an alert fires, its runbook section names the series it watches and a command to run", () => {
    const runbook = read("docs/runbook.md");
    const problems: string[] = [];
    for (const rule of rules) {
      const name = String(rule.alert);
      const section =
        runbook.split(new RegExp(`^#### ${name}$`, "m"))[1]?.split(/^#{2,4} /m)[0] ?? "";
      const quoted = [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
      const series = [
        ...String(rule.expr).matchAll(/\b((?:smsgw|jetstream|cnpg)_[a-z0-9_]+|up)\b/g),
      ].map((m) => String(m[1]).replace(/_(bucket|count|sum)$/, ""));
      const named = (s: string) => new RegExp(`\\b${s}(?:_bucket|_count|_sum)?\\b`);
      if (!series.some((s) => quoted.some((q) => named(s).test(q)))) {
        problems.push(`${name}: the section names none of ${series.join(", ")}`);
      }
      if (!quoted.some((q) => /^(kubectl|gw|nats|node) /.test(q))) {
        problems.push(`${name}: the section has no command (kubectl, gw, nats) to run`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("when dashboards and alerts query a series, deploy/README.md documents it", () => {
    const readme = read("deploy/README.md");
    const documented = new Set([...readme.matchAll(/`(smsgw_[a-z0-9_]+)`/g)].map((m) => m[1]));
    const used = new Set([
      ...rules.flatMap((r) => seriesIn(String(r.expr))),
      ...dashboards.flatMap(([, d]) => exprs(d).flatMap(seriesIn)),
    ]);
    const prefixes = ["smsgw_process_", "smsgw_nodejs_"]; // prom-client's defaults
    const missing = [...used].filter(
      (s) => !documented.has(s) && !prefixes.some((p) => s.startsWith(p)),
    );
    expect(missing).toEqual([]);
    // Low cardinality: no label that could hold a message id, account or number.
    const all = [...rules.map((r) => String(r.expr)), ...dashboards.flatMap(([, d]) => exprs(d))];
    for (const q of all) expect(q).not.toMatch(/message_?id|account|phone|to_number|msisdn/i);
  });

  it("when Grafana starts, its dashboards parse, are unique and use provisioned datasources", () => {
    const sources = list(
      obj(yamlDocs("deploy/grafana/provisioning/datasources/datasources.yaml")[0]).datasources,
    ).map((d) => String(obj(d).uid));
    const titles = ["message-flow", "carriers", "webhooks", "latency"];
    expect(dashboards.map(([p]) => p.split("/").at(-1))).toEqual(
      expect.arrayContaining(titles.map((t) => `${t}.json`)),
    );
    const uids = new Set<string>();
    for (const [path, d] of dashboards) {
      expect(uids.has(String(d.uid)), path).toBe(false);
      uids.add(String(d.uid));
      expect(list(d.panels).length, path).toBeGreaterThan(3);
      for (const p of list(d.panels)) {
        expect(sources).toContain(obj(obj(p).datasource).uid);
        expect(list(obj(p).targets).length, `${path} ${obj(p).title}`).toBeGreaterThan(0);
      }
    }
    const provider = obj(
      list(obj(yamlDocs("deploy/grafana/provisioning/dashboards/dashboards.yaml")[0]).providers)[0],
    );
    expect(obj(provider.options).path).toBe("/var/lib/grafana/dashboards");
  });

  it("when the collector runs, its pipelines use only components it defines", () => {
    const config = obj(yamlDocs("deploy/otel-collector.yaml")[0]);
    const pipelines = obj(obj(config.service).pipelines);
    expect(Object.keys(pipelines)).toContain("traces");
    for (const [name, p] of Object.entries(pipelines)) {
      for (const kind of ["receivers", "processors", "exporters"] as const) {
        const defined = Object.keys(obj(config[kind] ?? {}));
        for (const used of list(obj(p)[kind]).map(String)) {
          expect(defined, `${name}.${kind}: ${used}`).toContain(used);
        }
      }
    }
    const jaeger = obj(obj(config.exporters)["otlp/jaeger"]);
    expect(jaeger.endpoint).toBe("jaeger:4317");
  });
});
