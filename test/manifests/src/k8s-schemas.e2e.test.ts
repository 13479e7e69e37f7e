import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findRenderer, KustomizeMissingError, kindOf } from "./k8s.ts";
import { type Obj, obj, read } from "./repo.ts";
import { schemaProblems, WITHOUT_SCHEMA } from "./schemas.ts";

/**
 * CI renders every kustomization with the real kustomize (kubectl's) and validates every
 * object it yields against the Kubernetes schemas, and validates the compose file against
 * the Compose Specification, all from registry packages: nothing is fetched at test time.
 */
const BUILDS = ["k8s/base", "k8s/overlays/dev", "k8s/overlays/production"];
const renderer = findRenderer();

describe(`k8s manifests rendered by ${renderer.name} against the Kubernetes schemas`, () => {
  it.each(BUILDS)("when %s is rendered, every object validates", async (dir) => {
    const objects = renderer.render(dir);
    expect(objects.length).toBeGreaterThan(20);
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
    // Only the kinds listed as without a schema went unchecked.
    const unchecked = objects.filter((o) => WITHOUT_SCHEMA[`${o.apiVersion}/${o.kind}`]);
    expect(unchecked.map(kindOf)).toEqual(
      dir.endsWith("dev") ? ["Cluster/smsgw-pg", "Pooler/smsgw-pg-pooler-rw"] : [],
    );
  });

  it("when an object breaks its schema or has an unknown kind, the validation says where", async () => {
    const [deployment] = renderer.render("k8s/base").filter((o) => o.kind === "Deployment");
    const broken = structuredClone(deployment) as Obj;
    obj(broken.spec).replicas = "two";
    delete obj(broken.spec).selector;
    const problems = await schemaProblems(broken);
    expect(problems.join("\n")).toMatch(/spec\/replicas must be integer/);
    expect(problems.join("\n")).toMatch(/selector/);
    expect(await schemaProblems({ apiVersion: "example.com/v1", kind: "Widget" })).toEqual([
      "Widget/undefined: no schema for example.com/v1 Widget",
    ]);
  });

  it("when a kustomization names a file that does not exist, rendering fails with kustomize's reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "smsgw-kustomize-"));
    try {
      writeFileSync(join(dir, "kustomization.yaml"), "resources:\n  - missing.yaml\n");
      expect(() => renderer.render(dir)).toThrow(/missing\.yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when no kustomize v5 is there, finding one fails and names what to install", () => {
    expect(() => findRenderer({ KUSTOMIZE: "/bin/false" })).toThrow(KustomizeMissingError);
    expect(() => findRenderer({ KUSTOMIZE: "/bin/false" })).toThrow(/apt-get install kubectl/);
  });
});

describe("deploy/compose.yaml against the Compose Specification", () => {
  // The specification's JSON schema as dclint (a compose linter on npm) bundles it.
  const require = createRequire(import.meta.url);
  const schemaPath = join(dirname(require.resolve("dclint/package.json")), "schemas");
  const { $schema: _draft, ...schema } = JSON.parse(
    readFileSync(join(schemaPath, "compose.schema.json"), "utf8"),
  ) as Record<string, unknown>;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  // Compose resolves YAML merge keys (<<) before it reads the file.
  const compose = parse(read("deploy/compose.yaml"), { merge: true }) as Obj;

  it("when the compose file is validated, it conforms", () => {
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("when a key is mistyped or a value has the wrong type, it does not", () => {
    const broken = structuredClone(compose);
    const nats = obj(obj(broken.services).nats);
    nats.restart = 5;
    nats.depend_on = ["postgres"];
    expect(validate(broken)).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(where).toContain("/services/nats/restart must be string");
    expect(where).toContain("/services/nats must NOT have additional properties");
  });
});
