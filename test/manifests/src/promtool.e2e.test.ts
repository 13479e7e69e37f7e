import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALERTS } from "./prometheus-rule.ts";
import { list, obj, ROOT, yamlDocs } from "./repo.ts";

/**
 * promtool checks the rule file compose's Prometheus loads (and the PrometheusRule is, byte
 * for byte) and runs its unit tests (deploy/prometheus/alerts.test.yml). promtool comes from
 * Debian's `prometheus` package: taken from PATH, else its .deb is fetched with
 * `apt-get download` and unpacked into .tools/prometheus (installing the package would also
 * start a Prometheus server on this machine). Skipped, saying why, only where apt is absent.
 */
const LOCAL = join(ROOT, ".tools", "prometheus");
const LOCAL_BIN = join(LOCAL, "usr", "bin", "promtool");

function promtool(): { bin: string } | { missing: string } {
  if (spawnSync("promtool", ["--version"]).status === 0) return { bin: "promtool" };
  if (existsSync(LOCAL_BIN)) return { bin: LOCAL_BIN };
  if (spawnSync("apt-get", ["--version"]).status !== 0) {
    return { missing: "no promtool, and no apt-get to fetch Debian's prometheus package" };
  }
  const dir = mkdtempSync(join(tmpdir(), "smsgw-promtool-"));
  try {
    const download = () =>
      spawnSync("apt-get", ["download", "-qq", "prometheus"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 300_000,
      });
    let got = download();
    if (got.status !== 0) {
      spawnSync("apt-get", ["update", "-qq"], { encoding: "utf8", timeout: 300_000 });
      got = download();
    }
    const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
    if (got.status !== 0 || !deb) throw new Error(`apt-get download prometheus: ${got.stderr}`);
    const unpack = spawnSync("dpkg-deb", ["-x", join(dir, deb), LOCAL], { encoding: "utf8" });
    if (unpack.status !== 0) throw new Error(`dpkg-deb -x ${deb}: ${unpack.stderr}`);
    return { bin: LOCAL_BIN };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const found = promtool();
if ("missing" in found) console.warn(`promtool checks skipped: ${found.missing}`);
const run = (...args: string[]) =>
  spawnSync("bin" in found ? found.bin : "promtool", args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });

describe.skipIf("missing" in found)("alert rules through promtool", () => {
  it("when promtool checks alerts.yml, every rule is valid", () => {
    const rules = list(obj(yamlDocs(ALERTS)[0]).groups).flatMap((g) => list(obj(g).rules));
    const res = run("check", "rules", ALERTS);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("when the rules' unit tests run, each alert fires where it should and only there", () => {
    const res = run("test", "rules", "deploy/prometheus/alerts.test.yml");
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("SUCCESS");
  });

  it("when a rule's expression does not parse, promtool refuses the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "smsgw-rules-"));
    try {
      const file = join(dir, "broken.yml");
      writeFileSync(
        file,
        "groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(up[5m]) >\n",
      );
      const res = run("check", "rules", file);
      expect(res.status).not.toBe(0);
      expect(res.stdout + res.stderr).toMatch(/parse error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
