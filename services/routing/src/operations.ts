import type { SenderRule } from "@smsgw/contracts";
import { z } from "zod";
import { Candidate, PREFIX_PATTERN, Route } from "./domain/route-table.ts";
import { SenderRuleInput } from "./domain/rules.ts";

/**
 * Validation shared by the admin API and the CLI, so both accept and refuse the same
 * input with the same words. A prefix may be written with or without its `+`.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function normalisePrefix(text: string): Parsed<string> {
  const prefix = text.startsWith("+") ? text : `+${text}`;
  return PREFIX_PATTERN.test(prefix)
    ? { ok: true, value: prefix }
    : { ok: false, message: `prefix "${text}": + and 1 to 15 digits, not starting with 0` };
}

const RouteBody = z.object({ carriers: z.array(Candidate).min(1).max(32) }).strict();
const SenderBody = SenderRuleInput.omit({ prefix: true }).strict();

function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

export function parseRoute(prefixText: string, body: unknown): Parsed<Route> {
  const prefix = normalisePrefix(prefixText);
  if (!prefix.ok) return prefix;
  const parsed = RouteBody.safeParse(body);
  if (!parsed.success) return { ok: false, message: firstProblem(parsed.error) };
  const route = Route.safeParse({ prefix: prefix.value, carriers: parsed.data.carriers });
  return route.success
    ? { ok: true, value: route.data }
    : { ok: false, message: firstProblem(route.error) };
}

export function parseSenderRule(prefixText: string, body: unknown): Parsed<SenderRule> {
  const prefix = normalisePrefix(prefixText);
  if (!prefix.ok) return prefix;
  const parsed = SenderBody.safeParse(body);
  return parsed.success
    ? { ok: true, value: { prefix: prefix.value, ...parsed.data } }
    : { ok: false, message: firstProblem(parsed.error) };
}
