// The kit's own parser of STREAM_MAX_BYTES (relative: this package does not depend on the kit).

import { describe, expect, it } from "vitest";
import { parseBytes } from "../../../packages/service-kit/src/config.ts";
import { capacityFigures } from "./capacity.ts";
import { kindOf } from "./k8s.ts";
import { list, obj, read, yamlDocs } from "./repo.ts";

/**
 * The event stream's bound against the NATS volume it lives on, and the runbook's planning
 * figures against each other: a bound raised without the volume, or a table not redone after
 * the measured bytes per message changed, fails here.
 */
const GiB = 2 ** 30;
const base = (file: string) => yamlDocs(`k8s/base/${file}`).map((d) => obj(d));
const common = obj(
  obj(base("common.yaml").find((d) => kindOf(d) === "ConfigMap/smsgw-common")).data,
);
const nats = base("nats.yaml");
const natsConf = String(
  obj(obj(nats.find((d) => kindOf(d) === "ConfigMap/nats-config")).data)["nats.conf"],
);
const statefulSet = obj(nats.find((d) => kindOf(d) === "StatefulSet/nats"));
const claim = obj(list(obj(statefulSet.spec).volumeClaimTemplates)[0]);
const volume = parseBytes(String(obj(obj(obj(claim.spec).resources).requests).storage)) ?? 0;
const maxFileStore = parseBytes(/max_file_store:\s*(\S+)/.exec(natsConf)?.[1] ?? "") ?? 0;
const bound = parseBytes(String(common.STREAM_MAX_BYTES)) ?? 0;

describe("the event stream's capacity", () => {
  it("when the base bounds the stream, the bound leaves room on the NATS volume for buckets and slack", () => {
    expect(bound).toBeGreaterThan(0);
    expect(maxFileStore).toBeLessThanOrEqual(volume);
    expect(bound).toBeLessThanOrEqual(0.75 * maxFileStore);
    // The storage alert (85 % of the store) cannot be the first to fire for the stream alone.
    expect(bound / maxFileStore).toBeLessThan(0.85);
  });

  it("when the runbook plans, its figures follow from its bytes per message and the base's bound", () => {
    const { bytesPerMessage, messagesPerGiB } = capacityFigures();
    expect(Math.abs(messagesPerGiB - GiB / bytesPerMessage)).toBeLessThan(1_000);
    const runbook = read("docs/runbook.md");
    const boundGiB = bound / GiB;
    const millions = (bound / bytesPerMessage / 1e6).toFixed(1);
    expect(runbook).toContain(`| ${boundGiB} GiB bound (base) | ${millions} M messages`);
    expect(runbook).toContain(`\`STREAM_MAX_BYTES\` (${boundGiB} GiB in\n\`k8s/base/common.yaml\``);
  });

  it("when the figures are missing from the runbook, the check says so", () => {
    expect(() => capacityFigures("# Runbook\n## Capacity\nnothing here\n")).toThrow(
      /bytes per message/,
    );
  });
});
