import { type Obj, obj, str } from "./repo.ts";

/**
 * Kubernetes schema validation with no network: the JSON schemas of the Kubernetes API
 * (OpenAPI-generated, compiled validators) bundled by the npm packages kubernetes-models,
 * @kubernetes-models/cert-manager,
 * @kubernetes-models/external-secrets and @kubernetes-models/prometheus-operator. Like
 * kubeconform's default mode it checks types, required fields, enums and formats; unknown
 * fields are not refused.
 */
const PACKAGES: Record<string, string> = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "external-secrets.io": "@kubernetes-models/external-secrets",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

/** Kinds no registry package has a schema for, and why each is accepted unchecked. */
export const WITHOUT_SCHEMA: Record<string, string> = {
  "postgresql.cnpg.io/v1/Cluster":
    "CloudNativePG publishes its CRD only in its release manifests (not on npm or Debian)",
  "postgresql.cnpg.io/v1/Pooler":
    "CloudNativePG publishes its CRD only in its release manifests (not on npm or Debian)",
};

interface Model {
  validate(): void;
}
type ModelClass = new (data: Obj) => Model;

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = PACKAGES[group as string] ?? "kubernetes-models";
  const spec = group ? `${pkg}/${group}/${version}` : `${pkg}/${version}`;
  try {
    const module = (await import(spec)) as Record<string, unknown>;
    return module[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with one object by its API's schema; [] when it validates. */
export async function schemaProblems(o: Obj): Promise<string[]> {
  const apiVersion = str(o.apiVersion) ?? "";
  const kind = str(o.kind) ?? "";
  const id = `${kind}/${str(obj(o.metadata ?? {}).name)}`;
  if (WITHOUT_SCHEMA[`${apiVersion}/${kind}`]) return [];
  const Model = await modelFor(apiVersion, kind);
  if (!Model) return [`${id}: no schema for ${apiVersion} ${kind}`];
  try {
    new Model(unwrapSecretData(o)).validate();
    return [];
  } catch (error) {
    return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * kustomize writes long Secret values as base64 in lines; the API server's decoder (Go's
 * base64) skips line breaks, the schema's "byte" format does not.
 */
function unwrapSecretData(o: Obj): Obj {
  if (o.kind !== "Secret" || !o.data) return o;
  const data = Object.fromEntries(
    Object.entries(obj(o.data)).map(([k, v]) => [k, String(v).replace(/\n/g, "")]),
  );
  return { ...o, data };
}
