import { parseAllDocuments } from "yaml";

export type Yaml = null | boolean | number | string | Yaml[] | { [key: string]: Yaml };

export class YamlError extends Error {
  override name = "YamlError";
}

/**
 * Every non-empty document of a file, strictly: YAML 1.2 core schema, duplicate keys and
 * any syntax error refused with its position (a manifest is never half-understood).
 */
export function parseYamlDocuments(source: string): Yaml[] {
  const documents = parseAllDocuments(source, { uniqueKeys: true, merge: true });
  const parsed: Yaml[] = [];
  for (const document of documents) {
    const problem = document.errors[0];
    if (problem) throw new YamlError(problem.message);
    const value = document.toJS({ maxAliasCount: 100 }) as Yaml | undefined;
    if (value !== null && value !== undefined) parsed.push(value);
  }
  return parsed;
}

export function parseYaml(source: string): Yaml {
  const [first, ...rest] = parseYamlDocuments(source);
  if (rest.length > 0) throw new YamlError("expected one YAML document");
  return first ?? null;
}
