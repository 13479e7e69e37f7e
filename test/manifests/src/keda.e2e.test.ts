import { describe, expect, it } from "vitest";
import { findRenderer, kindOf, renderProductionWith } from "./k8s.ts";
import { filesUnder, list, type Obj, obj, read, str } from "./repo.ts";

/**
 * The optional KEDA component (k8s/components/keda) on top of production, rendered as an
 * operator would add it (an overlay of production in its namespace): the ScaledObjects own their Deployments' HPAs (no base HPA left on
 * them), keep the base's bounds, and watch consumers the services really create.
 */
const renderer = findRenderer();
const production = renderer.render("k8s/overlays/production");
const withKeda = renderProductionWith(renderer, "k8s/components/keda");
const scaledObjects = withKeda.filter((d) => d.kind === "ScaledObject");
const target = (d: Obj) => String(obj(obj(d.spec).scaleTargetRef).name);
const common = obj(
  production.find((d) => kindOf(d).startsWith("ConfigMap/smsgw-common")),
  "smsgw-common",
);

describe("lag-based scaling with KEDA (optional component)", () => {
  it("when the component is added, each queue consumer has a ScaledObject and no HPA of its own", () => {
    expect(scaledObjects.map(target).sort()).toEqual(["dlr-dispatcher", "event-store", "routing"]);
    const hpas = withKeda.filter((d) => d.kind === "HorizontalPodAutoscaler").map(target);
    for (const name of scaledObjects.map(target)) expect(hpas).not.toContain(name);
    // smpp-server scales by binds and CPU, not by a queue, and inbound's MO traffic is a
    // trickle beside the sends: both keep their HPAs.
    expect(hpas.sort()).toEqual(["console", "inbound", "ingress", "pricing", "smpp-server"]);
  });

  it("when KEDA scales, it keeps the base's bounds and also scales on CPU", () => {
    for (const so of scaledObjects) {
      const hpa = obj(
        production.find((d) => d.kind === "HorizontalPodAutoscaler" && target(d) === target(so)),
      );
      const spec = obj(so.spec);
      expect([spec.minReplicaCount, spec.maxReplicaCount], target(so)).toEqual([
        obj(hpa.spec).minReplicas,
        obj(hpa.spec).maxReplicas,
      ]);
      expect(list(spec.triggers).map((t) => obj(t).type)).toEqual(["nats-jetstream", "cpu"]);
      expect(obj(so.metadata).namespace).toBe("smsgw");
    }
  });

  it("when a trigger names a stream and a consumer, they are the ones the service creates", () => {
    const stream = `${String(obj(common.data).NATS_PREFIX).toUpperCase()}_EVENTS`;
    for (const so of scaledObjects) {
      const meta = obj(obj(list(obj(so.spec).triggers)[0]).metadata);
      expect(meta.stream).toBe(stream);
      const consumer = String(meta.consumer);
      const sources = filesUnder(`services/${target(so)}/src`, /^(?!.*\.test\.ts$).*\.ts$/).map(
        read,
      );
      expect(
        sources.some((t) => t.includes(`"${consumer}"`)),
        `${target(so)} creates durable ${consumer}`,
      ).toBe(true);
      // The monitoring port of the NATS cluster in the overlay's namespace (a headless Service:
      // the scaler asks the consumer's leader by pod name).
      const [host, port] = String(meta.natsServerMonitoringEndpoint).split(":");
      expect(host).toBe(`nats-headless.${String(obj(so.metadata).namespace)}.svc.cluster.local`);
      const headless = obj(production.find((d) => kindOf(d) === "Service/nats-headless"));
      expect(list(obj(headless.spec).ports).map((p) => String(obj(p).port))).toContain(port);
      expect(str(meta.lagThreshold)).toMatch(/^\d+$/);
    }
  });
});
