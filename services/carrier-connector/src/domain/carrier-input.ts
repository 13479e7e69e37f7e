import { z } from "zod";
import { Carrier, type CarrierConfig } from "../config.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A carrier from the operator (admin API body, CLI key=value pairs): the id comes from the
 * path, the rest is the CARRIERS schema with its defaults. The message names each bad field.
 */
export function parseCarrierInput(id: string, body: unknown): Parsed<CarrierConfig> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "the carrier must be a JSON object" };
  }
  const parsed = Carrier.safeParse({ ...body, id });
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error) };
  return { ok: true, value: parsed.data };
}

/**
 * `key=value` pairs (CLI): numbers as numbers, true/false as booleans, `{…}` as a JSON object,
 * everything else as text.
 */
export function pairsToObject(pairs: readonly string[]): Parsed<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return { ok: false, message: `"${pair}" is not key=value` };
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const text = key === "password" || key === "systemId" || key === "systemType";
    // An object (receiptErrors={"004":"blocked_by_carrier"}) is written as JSON.
    if (!text && raw.startsWith("{")) {
      try {
        out[key] = JSON.parse(raw);
      } catch {
        return { ok: false, message: `${key}: not a JSON object` };
      }
      continue;
    }
    if (!text && (raw === "true" || raw === "false")) {
      out[key] = raw === "true";
      continue;
    }
    out[key] =
      /^-?\d+(\.\d+)?$/.test(raw) && key !== "password" && key !== "systemId" ? Number(raw) : raw;
  }
  return { ok: true, value: out };
}
