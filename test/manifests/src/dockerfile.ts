/** A Dockerfile read as instructions, enough for hadolint-style rules. */
export interface Instruction {
  line: number;
  op: string;
  args: string;
  /** The stage it belongs to (index of its FROM; -1 before the first). */
  stage: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let joined = lines[i] ?? "";
    if (/^\s*(#.*)?$/.test(joined)) continue;
    // A trailing backslash continues the instruction; comment lines inside are dropped.
    while (joined.endsWith("\\") && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      joined = `${joined.slice(0, -1)} ${/^\s*#/.test(next) ? "" : next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (!m) throw new Error(`Dockerfile line ${first}: not an instruction`);
    const op = (m[1] ?? "").toUpperCase();
    if (op === "FROM") stage++;
    out.push({ line: first, op, args: (m[2] ?? "").trim(), stage });
  }
  return out;
}

/** ARG defaults declared before the first FROM (usable in FROM lines). */
export function globalArgs(instructions: Instruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const ins of instructions) {
    if (ins.op === "FROM") break;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(ins.args);
    if (ins.op === "ARG" && m) args.set(m[1] ?? "", m[2] ?? "");
  }
  return args;
}

export function substitute(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a, b) => {
    return args.get(a ?? b) ?? all;
  });
}

/**
 * Whether `path` (relative to the context) is sent to the builder under .dockerignore
 * `patterns`: the last matching pattern wins, "!" re-includes, "**" spans directories.
 */
export function includedByDockerignore(patterns: string[], path: string): boolean {
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).replace(/\/$/, "");
    if (matches(pattern, path)) included = negate;
  }
  return included;
}

function matches(pattern: string, path: string): boolean {
  const re = pattern
    .split("/")
    .map((part) =>
      part === "**"
        ? "(?:.*)"
        : part
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]"),
    )
    .join("/")
    .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
  // A pattern matching a directory excludes (or re-includes) everything under it.
  return new RegExp(`^${re}(?:/.*)?$`).test(path);
}

export function dockerignorePatterns(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
