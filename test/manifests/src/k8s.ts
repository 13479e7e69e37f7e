import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import { filesUnder, list, type Obj, obj, ROOT, str, yamlDocs } from "./repo.ts";
import { parseYamlDocuments } from "./yaml.ts";

export const kindOf = (doc: Obj) => `${str(doc.kind)}/${str(obj(doc.metadata).name)}`;

/** Every directory under k8s/ with a kustomization.yaml. */
export function kustomizationDirs(): string[] {
  return filesUnder("k8s", /^kustomization\.yaml$/).map((path) => dirname(path));
}

export function kustomization(dir: string): Obj {
  return obj(yamlDocs(join(dir, "kustomization.yaml"))[0], `${dir}/kustomization.yaml`);
}

/** Paths a kustomization refers to, relative to the repository, that must exist. */
export function referencedPaths(dir: string): string[] {
  const k = kustomization(dir);
  const out: string[] = [];
  for (const r of [...list(k.resources), ...list(k.components)]) out.push(join(dir, String(r)));
  for (const p of list(k.patches)) {
    const path = str(obj(p).path);
    if (path) out.push(join(dir, path));
  }
  for (const g of [...list(k.secretGenerator), ...list(k.configMapGenerator)]) {
    for (const f of list(obj(g).files)) out.push(join(dir, String(f).split("=").at(-1) ?? ""));
  }
  return out;
}

/** The objects of a kustomization's own resource files (not its bases). */
export function ownObjects(dir: string): Obj[] {
  return list(kustomization(dir).resources)
    .map(String)
    .filter((r) => r.endsWith(".yaml"))
    .flatMap((r) => yamlDocs(join(dir, r)).map((d) => obj(d)));
}

export class KustomizeMissingError extends Error {
  override name = "KustomizeMissingError";
}

export interface Renderer {
  /** The command, with the kustomize version it reported. */
  name: string;
  render(dir: string): Obj[];
}

/** kustomize's version from `kubectl version --client -o json` or `kustomize version`. */
function kustomizeVersion(bin: string, standalone: boolean): string | undefined {
  const res = standalone
    ? spawnSync(bin, ["version"], { encoding: "utf8", timeout: 20_000 })
    : spawnSync(bin, ["version", "--client", "-o", "json"], { encoding: "utf8", timeout: 20_000 });
  if (res.status !== 0) return undefined;
  if (standalone) return /v?(\d+\.\d+\.\d+)/.exec(res.stdout)?.[1];
  const reported = (JSON.parse(res.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  return reported?.replace(/^v/, "");
}

/**
 * The real kustomize: `kubectl kustomize` (kustomize v5 inside kubectl), or the binary that
 * KUSTOMIZE names (`$KUSTOMIZE build`). `.ci/run` installs kubectl where it is missing;
 * without kustomize v5 this throws, naming what to install: the manifests are never
 * checked against a stand-in. Rendering is offline: only local bases are used.
 */
export function findRenderer(env: NodeJS.ProcessEnv = process.env): Renderer {
  const standalone = Boolean(env.KUSTOMIZE);
  const bin = env.KUSTOMIZE ?? "kubectl";
  const args = standalone ? ["build"] : ["kustomize"];
  const version = kustomizeVersion(bin, standalone);
  if (!version || Number(version.split(".")[0]) < 5) {
    throw new KustomizeMissingError(
      `kustomize v5 is needed to render k8s/: found ${version ? `v${version}` : "none"} ` +
        `(${bin}). Install kubectl with kustomize v5 (.ci/run does it with apt-get install ` +
        "kubectl) or set KUSTOMIZE=/path/to/kustomize.",
    );
  }
  return {
    name: `${bin} ${args.join(" ")} (kustomize v${version})`,
    render(dir) {
      const path = isAbsolute(dir) ? dir : join(ROOT, dir);
      const res = spawnSync(bin, [...args, path], { encoding: "utf8", timeout: 60_000 });
      if (res.status !== 0) throw new Error(`${bin} ${args.join(" ")} ${dir}: ${res.stderr}`);
      return parseYamlDocuments(res.stdout).map((d) => obj(d));
    },
  };
}

export function podSpec(workload: Obj): Obj {
  return obj(obj(obj(obj(workload.spec).template).spec));
}

export function containers(workload: Obj): Obj[] {
  return list(podSpec(workload).containers).map((c) => obj(c));
}

export function initContainers(workload: Obj): Obj[] {
  return list(podSpec(workload).initContainers).map((c) => obj(c));
}

/**
 * A container's environment: its env values, the ConfigMaps it takes whole (envFrom), and
 * the variables whose values come from elsewhere (Secrets, the downward API).
 */
export function containerEnv(
  container: Obj,
  configMaps: Map<string, Obj>,
): { env: Record<string, string>; fromRefs: Record<string, Obj> } {
  const env: Record<string, string> = {};
  const fromRefs: Record<string, Obj> = {};
  for (const source of list(container.envFrom)) {
    const name = str(obj(obj(source).configMapRef ?? {}).name);
    const cm = name ? configMaps.get(name) : undefined;
    if (!cm) throw new Error(`envFrom: unknown ConfigMap ${name}`);
    for (const [k, v] of Object.entries(obj(cm.data ?? {}))) env[k] = String(v);
  }
  for (const item of list(container.env)) {
    const e = obj(item);
    const name = String(e.name);
    if (e.valueFrom !== undefined) fromRefs[name] = obj(e.valueFrom);
    else env[name] = String(e.value ?? "");
  }
  return { env, fromRefs };
}

/**
 * The production overlay with an optional component added, rendered as an operator would add
 * it (an overlay of production in its namespace), e.g. `k8s/components/keda`.
 */
export function renderProductionWith(renderer: Renderer, component: string): Obj[] {
  const dir = mkdtempSync(join(tmpdir(), "smsgw-overlay-"));
  try {
    writeFileSync(
      join(dir, "kustomization.yaml"),
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: smsgw
resources: [${relative(dir, join(ROOT, "k8s/overlays/production"))}]
components: [${relative(dir, join(ROOT, component))}]
`,
    );
    return renderer.render(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
