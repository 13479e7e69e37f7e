import { isPlatformVar, requiredVars, type ServiceFacts } from "./repo.ts";

/**
 * What is wrong with the environment a manifest gives a service: variables its schema does
 * not know (a typo is silently ignored by the service), required ones left unset, and the
 * schema's own complaints about the values. `unresolved` names variables whose value comes
 * from a Secret or the downward API: present, value unknown here, so a placeholder is used.
 */
export function envProblems(
  facts: ServiceFacts,
  env: Record<string, string>,
  unresolved: Record<string, string> = {},
): string[] {
  const problems: string[] = [];
  const all = { ...env, ...unresolved };
  for (const key of Object.keys(all)) {
    if (!(key in facts.schema.shape) && !isPlatformVar(key)) {
      problems.push(`${facts.name}: ${key} is not a variable of its schema`);
    }
  }
  for (const key of requiredVars(facts.schema)) {
    if (!(key in all)) problems.push(`${facts.name}: required ${key} is not set`);
  }
  const parsed = facts.schema.safeParse(all);
  for (const issue of parsed.error?.issues ?? []) {
    problems.push(`${facts.name}: ${issue.path.map(String).join(".")}: ${issue.message}`);
  }
  return problems;
}
