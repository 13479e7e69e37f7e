import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { list, type Obj, obj, ROOT } from "./repo.ts";
import { parseYamlDocuments } from "./yaml.ts";

/**
 * `kustomize build` for the features k8s/ uses, so CI renders every overlay on a machine
 * with no kustomize binary (none is packaged for Debian bookworm or npm; kubectl comes
 * from a vendor repository). A field or patch kind outside this subset is refused by
 * name, never skipped. k8s-schemas.e2e.test.ts compares its output object by object with
 * a real `kubectl kustomize` wherever one is installed.
 *
 * Order as kustomize: resources (bases built first), components, generators, then the
 * transformers patches, namespace, labels, images; generated names get kustomize's content
 * hash and every reference to them is renamed.
 */
const KNOWN = new Set([
  "apiVersion",
  "kind",
  "namespace",
  "resources",
  "components",
  "images",
  "configMapGenerator",
  "secretGenerator",
  "patches",
  "labels",
]);
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
]);
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

export class KustomizeError extends Error {
  override name = "KustomizeError";
}

/** Renders the kustomization in `dir` (relative to the repository). */
export function kustomizeBuild(dir: string): Obj[] {
  return build(join(ROOT, dir), "Kustomization", []);
}

function build(abs: string, expectKind: string, input: Obj[]): Obj[] {
  const k = loadKustomization(abs, expectKind);
  let objects = [...input];
  for (const r of list(k.resources).map(String)) objects.push(...resource(abs, r));
  for (const c of list(k.components).map(String))
    objects = build(join(abs, c), "Component", objects);
  const renames = new Map<string, string>();
  for (const g of list(k.configMapGenerator)) generate(abs, obj(g), "ConfigMap", objects, renames);
  for (const g of list(k.secretGenerator)) generate(abs, obj(g), "Secret", objects, renames);
  for (const p of list(k.patches)) objects = patch(abs, obj(p), objects);
  if (k.namespace !== undefined) {
    for (const o of objects) {
      if (!CLUSTER_SCOPED.has(text(o.kind))) obj(o.metadata).namespace = text(k.namespace);
    }
  }
  for (const l of list(k.labels)) addLabels(obj(l), objects);
  for (const i of list(k.images)) setImage(obj(i), objects);
  if (renames.size > 0) for (const o of objects) renameReferences(o, renames);
  return objects;
}

function loadKustomization(abs: string, expectKind: string): Obj {
  const path = join(abs, "kustomization.yaml");
  const k = obj(parseYamlDocuments(readFileSync(path, "utf8"))[0], path);
  if ((k.kind ?? "Kustomization") !== expectKind) {
    throw new KustomizeError(`${path}: kind ${text(k.kind)}, expected ${expectKind}`);
  }
  const unknown = Object.keys(k).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new KustomizeError(`${path}: unsupported ${unknown.join(", ")}`);
  return k;
}

function resource(dir: string, entry: string): Obj[] {
  const path = join(dir, entry);
  if (statSync(path).isDirectory()) return build(path, "Kustomization", []);
  return parseYamlDocuments(readFileSync(path, "utf8")).map((d) => obj(d, path));
}

function generate(
  dir: string,
  spec: Obj,
  kind: "ConfigMap" | "Secret",
  objects: Obj[],
  renames: Map<string, string>,
): void {
  const name = text(spec.name);
  const data: Record<string, string> = {};
  for (const literal of list(spec.literals).map(String)) {
    const at = literal.indexOf("=");
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  for (const file of list(spec.files).map(String)) {
    const [key, path] = file.includes("=") ? file.split("=", 2) : [basename(file), file];
    data[key as string] = readFileSync(join(dir, path as string), "utf8");
  }
  const known = new Set(["name", "behavior", "literals", "files", "type", "options"]);
  const unknown = Object.keys(spec).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new KustomizeError(`${kind}Generator ${name}: ${unknown}`);
  const encoded =
    kind === "Secret"
      ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64Lines(v)]))
      : data;

  if (spec.behavior === "merge" || spec.behavior === "replace") {
    const existing = objects.find((o) => o.kind === kind && obj(o.metadata).name === name);
    if (!existing) throw new KustomizeError(`${kind} ${name} to ${text(spec.behavior)} not found`);
    existing.data =
      spec.behavior === "merge" ? { ...obj(existing.data ?? {}), ...encoded } : encoded;
    return;
  }
  const generated: Obj = { apiVersion: "v1", kind, metadata: { name } };
  if (kind === "Secret") generated.type = text(spec.type) || "Opaque";
  generated.data = encoded;
  if (obj(spec.options ?? {}).disableNameSuffixHash !== true) {
    const hashed = `${name}-${contentHash(generated)}`;
    obj(generated.metadata).name = hashed;
    renames.set(`${kind}/${name}`, hashed);
  }
  objects.push(generated);
}

/**
 * kustomize's name suffix: sha256 of the object's Go JSON encoding (kind, name, data; a
 * Secret's type too; keys sorted), its first ten hex digits with 0 1 3 a e swapped out.
 */
function contentHash(o: Obj): string {
  const encoding: Record<string, unknown> = {
    data: sortKeys(obj(o.data)),
    kind: o.kind,
    name: obj(o.metadata).name,
  };
  if (o.kind === "Secret") encoding.type = o.type;
  const json = JSON.stringify(encoding).replace(
    /[<>&]/g,
    (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
  );
  const hex = createHash("sha256").update(json).digest("hex").slice(0, 10);
  const swap: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex].map((c) => swap[c] ?? c).join("");
}

/** kustomize's Secret encoding: base64 in lines of 70, each ended by \n once there are several. */
function base64Lines(text: string): string {
  const b64 = Buffer.from(text, "utf8").toString("base64");
  if (b64.length < 70) return b64;
  return (b64.match(/.{1,70}/g) ?? []).map((line) => `${line}\n`).join("");
}

function sortKeys(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function patch(dir: string, spec: Obj, objects: Obj[]): Obj[] {
  const source = spec.path ? readFileSync(join(dir, text(spec.path)), "utf8") : text(spec.patch);
  const docs = parseYamlDocuments(source);
  if (Array.isArray(docs[0])) {
    const targets = objects.filter((o) => matches(o, obj(spec.target, "patch target")));
    if (targets.length === 0) throw new KustomizeError(`patch target matches nothing`);
    for (const target of targets) for (const op of docs[0]) jsonPatch(target, obj(op));
    return objects;
  }
  // Strategic merge patches: each document names its target by kind and name.
  for (const doc of docs.map((d) => obj(d))) {
    const target = objects.find(
      (o) => o.kind === doc.kind && obj(o.metadata).name === obj(doc.metadata).name,
    );
    if (!target) throw new KustomizeError(`patch ${kindName(doc)} matches nothing`);
    strategicMerge(target, doc);
  }
  return objects;
}

function matches(o: Obj, target: Obj): boolean {
  const known = new Set(["kind", "name", "labelSelector"]);
  const unknown = Object.keys(target).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new KustomizeError(`patch target by ${unknown.join(", ")}`);
  if (target.kind !== undefined && !anchored(text(target.kind)).test(text(o.kind))) return false;
  const name = text(obj(o.metadata).name);
  if (target.name !== undefined && !anchored(text(target.name)).test(name)) return false;
  if (target.labelSelector !== undefined) {
    const labels = obj(obj(o.metadata).labels ?? {});
    for (const term of text(target.labelSelector).split(",")) {
      const [key, value] = term.split("=").map((s) => s.trim());
      if (labels[key as string] !== value) return false;
    }
  }
  return true;
}

/** kustomize matches target names and kinds as anchored regular expressions. */
const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function jsonPatch(target: Obj, op: Obj): void {
  const path = text(op.path)
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = path.pop();
  if (last === undefined) throw new KustomizeError("a patch of the whole object");
  let parent: unknown = target;
  for (const key of path) {
    parent = (parent as Record<string, unknown>)[key];
    if (parent === undefined || parent === null) {
      throw new KustomizeError(
        `${text(op.op)} ${text(op.path)}: no such path in ${kindName(target)}`,
      );
    }
  }
  const container = parent as Record<string, unknown>;
  switch (op.op) {
    case "add":
      if (Array.isArray(container)) {
        container.splice(last === "-" ? container.length : Number(last), 0, op.value);
      } else container[last] = op.value;
      return;
    case "replace":
      if (!(last in container)) {
        throw new KustomizeError(`replace ${text(op.path)}: missing in ${kindName(target)}`);
      }
      container[last] = op.value;
      return;
    case "remove":
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else delete container[last];
      return;
    default:
      throw new KustomizeError(`JSON patch op ${text(op.op)} is not supported`);
  }
}

/** Lists of these merge item by item on their key (Kubernetes' patchMergeKey); others replace. */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
};

function strategicMerge(target: Obj, patchDoc: Obj): void {
  for (const [key, value] of Object.entries(patchDoc)) {
    const current = target[key];
    const mergeKey = MERGE_KEYS[key];
    if (mergeKey && Array.isArray(value) && Array.isArray(current)) {
      // Items new to the list go before the existing ones, as kustomize puts them.
      const added: Obj[] = [];
      for (const item of value.map((v) => obj(v))) {
        const found = current.find((c) => obj(c)[mergeKey] === item[mergeKey]);
        if (found) strategicMerge(obj(found), item);
        else added.push(item);
      }
      current.unshift(...added);
    } else if (isMap(value) && isMap(current)) strategicMerge(current, value);
    else target[key] = value;
  }
}

const isMap = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function addLabels(spec: Obj, objects: Obj[]): void {
  const known = new Set(["pairs", "includeSelectors", "includeTemplates"]);
  const unknown = Object.keys(spec).filter((key) => !known.has(key));
  if (unknown.length > 0 || spec.includeSelectors === true) {
    throw new KustomizeError(`labels with ${[...unknown, "includeSelectors"].join(", ")}`);
  }
  const pairs = obj(spec.pairs);
  for (const o of objects) {
    const meta = obj(o.metadata);
    meta.labels = { ...obj(meta.labels ?? {}), ...pairs };
    if (spec.includeTemplates === true && WORKLOADS.has(text(o.kind))) {
      // The pod template, and a StatefulSet's volume claim templates.
      const templates = [obj(o.spec).template, ...list(obj(o.spec).volumeClaimTemplates)];
      for (const template of templates.map((t) => obj(t))) {
        template.metadata ??= {};
        const tmeta = obj(template.metadata);
        tmeta.labels = { ...obj(tmeta.labels ?? {}), ...pairs };
      }
    }
  }
}

function setImage(spec: Obj, objects: Obj[]): void {
  for (const o of objects.filter((x) => WORKLOADS.has(text(x.kind)))) {
    const pod = obj(obj(obj(o.spec).template).spec);
    for (const c of [...list(pod.containers), ...list(pod.initContainers)].map((x) => obj(x))) {
      const image = text(c.image);
      const [name] = image.split(/[@:](?=[^/]*$)/);
      if (name !== spec.name) continue;
      const tag = image.slice((name as string).length);
      const newName = text(spec.newName) || (name as string);
      c.image = spec.newTag !== undefined ? `${newName}:${text(spec.newTag)}` : `${newName}${tag}`;
    }
  }
}

/** Points every reference to a generated ConfigMap or Secret at its hashed name. */
function renameReferences(o: Obj, renames: Map<string, string>): void {
  const walk = (node: unknown, key: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, key);
      return;
    }
    if (!isMap(node)) return;
    const refKind =
      key === "secretKeyRef" || key === "secretRef"
        ? "Secret"
        : key === "configMapKeyRef" || key === "configMapRef" || key === "configMap"
          ? "ConfigMap"
          : undefined;
    if (refKind && typeof node.name === "string") {
      node.name = renames.get(`${refKind}/${node.name}`) ?? node.name;
    }
    if (key === "secret" && typeof node.secretName === "string") {
      node.secretName = renames.get(`Secret/${node.secretName}`) ?? node.secretName;
    }
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(o.spec, "spec");
}

/** A scalar as text ("" when absent). */
const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

const kindName = (o: Obj) => `${text(o.kind)}/${text(obj(o.metadata).name)}`;
