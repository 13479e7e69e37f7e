import {
  ALLOWED_IPS_PER_KEY,
  API_KEY_NAME_MAX,
  ApiKeyScope,
  normalizeCidr,
} from "@smsgw/contracts";

export interface KeyInput {
  name: string;
  scopes: ApiKeyScope[];
  allowedIps: string[];
}

/**
 * The keys page's create form, read as the API reads `POST /v1/keys`: a name, one or more
 * known scopes, CIDRs (comma or space separated) stored in their canonical form. The
 * problems are sentences for the page.
 */
export function readKeyForm(
  name: string,
  scopes: readonly string[],
  allowedIps: string,
): { ok: true; value: KeyInput } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const trimmed = name.trim();
  if (trimmed === "" || trimmed.length > API_KEY_NAME_MAX) {
    problems.push(`Give the key a name of 1 to ${API_KEY_NAME_MAX} characters.`);
  }
  const known = [...new Set(scopes)].filter((s) => ApiKeyScope.safeParse(s).success);
  if (known.length === 0 || known.length !== scopes.length) {
    problems.push("Choose one or more scopes: send, read, manage.");
  }
  const written = allowedIps.split(/[\s,]+/).filter((c) => c !== "");
  const cidrs = written.map((c) => normalizeCidr(c));
  const bad = written.filter((_, i) => cidrs[i] === null);
  if (bad.length > 0) {
    problems.push(`Not an IPv4 or IPv6 CIDR: ${bad.slice(0, 3).join(", ")}.`);
  } else if (written.length > ALLOWED_IPS_PER_KEY) {
    problems.push(`At most ${ALLOWED_IPS_PER_KEY} addresses or ranges.`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      name: trimmed,
      scopes: known as ApiKeyScope[],
      allowedIps: [...new Set(cidrs.filter((c): c is string => c !== null))],
    },
  };
}
