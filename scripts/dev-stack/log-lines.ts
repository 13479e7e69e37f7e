/** Turns a service's pino JSON line into one short readable line; other text passes through. */
const COLORS = [36, 33, 35, 32, 34, 31, 96, 93];
const LEVEL_COLOR: Record<string, number> = {
  error: 31,
  fatal: 31,
  warn: 33,
  info: 32,
  debug: 90,
  trace: 90,
};
const SKIP = new Set(["level", "time", "service", "msg", "pid", "hostname"]);

export function prefixer(names: readonly string[]) {
  const width = Math.max(...names.map((n) => n.length));
  return (name: string): string => {
    const color = COLORS[names.indexOf(name) % COLORS.length] ?? 37;
    return `\x1b[${color}m${name.padEnd(width)}\x1b[0m │ `;
  };
}

export function formatLine(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const level = String(record.level ?? "info");
    const time = typeof record.time === "string" ? record.time.slice(11, 23) : "";
    const extras = Object.entries(record)
      .filter(([key]) => !SKIP.has(key))
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    const color = LEVEL_COLOR[level] ?? 37;
    return `${time} \x1b[${color}m${level.padEnd(5)}\x1b[0m ${String(record.msg ?? "")}${extras ? ` \x1b[90m${extras}\x1b[0m` : ""}`;
  } catch {
    return line;
  }
}
