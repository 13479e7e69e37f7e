import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "./repo.ts";

interface Pkg {
  dir: string;
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

function packageOf(file: string): Pkg {
  let dir = dirname(file);
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  return {
    dir,
    name: json.name,
    dependencies: json.dependencies ?? {},
    devDependencies: json.devDependencies ?? {},
  };
}

/** Runtime imports of a file: value imports and re-exports (type-only ones are erased). */
export function runtimeSpecifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\s\S]*?\sfrom\s+)?["']([^"']+)["']/g;
  for (const m of source.matchAll(re)) if (!m[2]) out.push(m[3] ?? "");
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] ?? "");
  return out;
}

const bareName = (spec: string) =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec);

/**
 * Walks what `node src/main.ts` of a service loads (relative imports, and workspace
 * packages through their `exports` entry) and returns, per workspace package, the
 * third-party packages it imports at run time that its package.json does not list under
 * `dependencies`: a production install (`pnpm install --prod`, the image) lacks them.
 */
export function undeclaredRuntimeImports(service: string): Map<string, Set<string>> {
  const missing = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const queue = [join(ROOT, "services", service, "src", "main.ts")];
  const workspace = (name: string): string | null => {
    for (const dir of ["packages", "services"]) {
      const path = join(ROOT, dir, name.replace("@smsgw/", ""), "package.json");
      if (existsSync(path)) {
        const exportsField = JSON.parse(readFileSync(path, "utf8")).exports?.["."];
        return exportsField ? join(dirname(path), exportsField) : null;
      }
    }
    return null;
  };
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const pkg = packageOf(file);
    for (const spec of runtimeSpecifiers(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) {
        queue.push(resolve(dirname(file), spec));
        continue;
      }
      if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
      const name = bareName(spec);
      if (!(name in pkg.dependencies)) {
        const set = missing.get(pkg.name) ?? new Set<string>();
        set.add(name);
        missing.set(pkg.name, set);
      }
      if (name.startsWith("@smsgw/")) {
        const entry = workspace(name);
        if (entry) queue.push(entry);
      }
    }
  }
  return missing;
}
