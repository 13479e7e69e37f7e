import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kindOf } from "./k8s.ts";
import { KustomizeError, kustomizeBuild } from "./kustomize.ts";
import { type Obj, obj, ROOT, read } from "./repo.ts";
import { schemaProblems, WITHOUT_SCHEMA } from "./schemas.ts";
import { parseYamlDocuments } from "./yaml.ts";

/**
 * CI renders every kustomization and validates every object it yields against the
 * Kubernetes schemas, and validates the compose file against the Compose Specification,
 * all from registry packages: nothing is fetched at test time.
 */
const BUILDS = ["k8s/base", "k8s/overlays/dev", "k8s/overlays/production"];

describe("k8s manifests against the Kubernetes schemas", () => {
  it.each(BUILDS)("when %s is rendered, every object validates", async (dir) => {
    const objects = kustomizeBuild(dir);
    expect(objects.length).toBeGreaterThan(20);
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
    // Only the kinds listed as without a schema went unchecked.
    const unchecked = objects.filter((o) => WITHOUT_SCHEMA[`${o.apiVersion}/${o.kind}`]);
    expect(unchecked.map(kindOf)).toEqual(dir.endsWith("dev") ? ["Cluster/smsgw-pg"] : []);
  });

  it("when an object breaks its schema or has an unknown kind, the validation says where", async () => {
    const [deployment] = kustomizeBuild("k8s/base").filter((o) => o.kind === "Deployment");
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

  it("when a kustomization uses a field the in-repo renderer does not implement, it refuses by name", () => {
    expect(() => kustomizeBuild("test/manifests/src/fixtures/unsupported")).toThrow(KustomizeError);
    expect(() => kustomizeBuild("test/manifests/src/fixtures/unsupported")).toThrow(/replicas/);
  });
});

/** Generated names end in kustomize's 10-character content hash; compared without it. */
const withoutHash = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" ? v.replace(/^(smsgw-[a-z-]+)-[245-9bcdfghkmt]{10}$/, "$1-HASH") : v,
  );
const byKey = (objects: Obj[]) =>
  new Map(
    objects
      .map((o) => withoutHash(o) as Obj)
      .map((o) => [`${kindOf(o)}@${obj(o.metadata).namespace ?? ""}`, o]),
  );

const kubectl = spawnSync("kubectl", ["kustomize", "--help"], { encoding: "utf8" }).status === 0;

describe.skipIf(!kubectl)("the in-repo renderer against kubectl kustomize", () => {
  it.each(BUILDS)("when %s is rendered by both, every object is the same", (dir) => {
    const real = spawnSync("kubectl", ["kustomize", join(ROOT, dir)], { encoding: "utf8" });
    expect(real.status, real.stderr).toBe(0);
    const expected = byKey(parseYamlDocuments(real.stdout).map((d) => obj(d)));
    const actual = byKey(kustomizeBuild(dir));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, value] of expected) expect(actual.get(key), key).toEqual(value);
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
