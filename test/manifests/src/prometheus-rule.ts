import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./repo.ts";

/**
 * The Prometheus Operator's PrometheusRule is deploy/prometheus/alerts.yml (the rule file
 * compose's Prometheus loads) under `spec:`, byte for byte, indented by two spaces: one
 * source of truth for both. A test checks the committed file against this; after changing
 * the alerts, write it again with
 *
 *   node test/manifests/src/prometheus-rule.ts --write
 */
export const ALERTS = "deploy/prometheus/alerts.yml";
export const PROMETHEUS_RULE = "k8s/components/prometheus-operator/prometheusrule.yaml";

export function prometheusRuleFor(alerts: string): string {
  const spec = alerts
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : `  ${line}`))
    .join("\n");
  return `# GENERATED from ${ALERTS} by \`node test/manifests/src/prometheus-rule.ts --write\`:
# do not edit; change the alerts there and write this again (test/manifests checks it).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: smsgw
  labels: { app.kubernetes.io/name: smsgw }
spec:
${spec}
`;
}

export const expectedPrometheusRule = () =>
  prometheusRuleFor(readFileSync(join(ROOT, ALERTS), "utf8"));

if (process.argv[1] === import.meta.filename && process.argv.includes("--write")) {
  writeFileSync(join(ROOT, PROMETHEUS_RULE), expectedPrometheusRule());
  console.log(`wrote ${PROMETHEUS_RULE} from ${ALERTS}`);
}
