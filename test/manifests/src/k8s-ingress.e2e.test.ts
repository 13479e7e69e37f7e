import { describe, expect, it } from "vitest";
import { findRenderer, kindOf } from "./k8s.ts";
import { list, type Obj, obj, SERVICES, str } from "./repo.ts";

/**
 * The public entry (k8s/overlays/production/ingress.yaml): every host served over TLS, and
 * only the services' public ports routed, never a health port with /metrics and /readyz.
 */
const production = findRenderer().render("k8s/overlays/production");
const healthPorts = new Map(SERVICES.map((s) => [s.name, s.healthPort]));

function ingressProblems(docs: Obj[]): string[] {
  const problems: string[] = [];
  const services = new Map(
    docs.filter((d) => d.kind === "Service").map((d) => [str(obj(d.metadata).name), d]),
  );
  for (const ingress of docs.filter((d) => d.kind === "Ingress")) {
    const spec = obj(ingress.spec);
    const tlsHosts = new Set(list(spec.tls).flatMap((t) => list(obj(t).hosts).map(String)));
    for (const rule of list(spec.rules).map((r) => obj(r))) {
      const host = String(rule.host);
      if (!tlsHosts.has(host)) problems.push(`${kindOf(ingress)}: ${host} has no TLS`);
      for (const path of list(obj(rule.http).paths).map((p) => obj(p))) {
        const backend = obj(obj(path.backend).service);
        const name = String(backend.name);
        const port = obj(backend.port);
        const service = services.get(name);
        const servicePort = list(obj(service?.spec).ports)
          .map((p) => obj(p))
          .find((p) => p.name === port.name || p.port === port.number);
        if (!servicePort) {
          problems.push(`${host}: no Service ${name} port ${String(port.name ?? port.number)}`);
        } else if (
          servicePort.name === "health" ||
          Number(servicePort.port) === healthPorts.get(name)
        ) {
          problems.push(`${host}: routes to ${name}'s health port (/metrics, /readyz)`);
        }
      }
    }
  }
  return problems;
}

describe("the public entry (Ingress)", () => {
  it("when production is rendered, the API and the console are served over TLS on their public ports only", () => {
    const ingresses = production.filter((d) => d.kind === "Ingress");
    const backends = ingresses.flatMap((i) =>
      list(obj(i.spec).rules).flatMap((r) =>
        list(obj(obj(r).http).paths).map((p) => String(obj(obj(obj(p).backend).service).name)),
      ),
    );
    expect(backends.sort()).toEqual(["console", "ingress"]);
    expect(ingressProblems(production)).toEqual([]);
  });

  it("when a rule routes to a health port or lacks TLS, the check names it", () => {
    const broken = structuredClone(production);
    const ingress = obj(broken.find((d) => d.kind === "Ingress"));
    const spec = obj(ingress.spec);
    spec.tls = list(spec.tls).slice(0, 1);
    const consoleRule = obj(list(spec.rules)[1]);
    const path = obj(list(obj(consoleRule.http).paths)[0]);
    obj(obj(path.backend).service).port = { name: "health" };
    expect(ingressProblems(broken)).toEqual([
      "Ingress/smsgw: console.example.com has no TLS",
      "console.example.com: routes to console's health port (/metrics, /readyz)",
    ]);
  });
});
