import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exists, ROOT, serviceDirs } from "./repo.ts";

/**
 * deploy/build-images.sh, what CI runs where a Docker engine exists: here there is none, so a
 * `docker` stand-in on PATH records the commands the script gives (an engine that answers), or
 * fails `docker info` as the real client does without one.
 */
const dir = mkdtempSync(join(tmpdir(), "smsgw-build-"));
const log = join(dir, "docker.log");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withDocker(engine: boolean, env: Record<string, string>) {
  writeFileSync(
    join(dir, "docker"),
    `#!/bin/sh\necho "$*" >> ${log}\n${
      engine
        ? 'case "$1" in info) echo 27.0.0;; esac\nexit 0\n'
        : 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2\nexit 1\n'
    }`,
  );
  chmodSync(join(dir, "docker"), 0o755);
  writeFileSync(log, "");
  const res = spawnSync("bash", ["deploy/build-images.sh"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: `${dir}:${process.env.PATH}`, HOME: process.env.HOME ?? "", ...env },
  });
  return { ...res, docker: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

describe("the image build script", () => {
  it("when no Docker engine answers, it builds nothing, says why and exits 0", () => {
    const res = withDocker(false, {});
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/skipped: no Docker engine answers \(docker info: Cannot connect/);
    expect(res.docker).toEqual(["info --format {{.ServerVersion}}"]);
  });

  it("when an engine answers, every service is built from the one Dockerfile and pushed under the registry", () => {
    const res = withDocker(true, { REGISTRY: "ghcr.io/acme/", TAG: "1.4.0", PUSH: "1" });
    expect(res.status, res.stderr).toBe(0);
    const services = serviceDirs().filter((s) => exists(`services/${s}/src/main.ts`));
    expect(services).toEqual(expect.arrayContaining(["ingress", "console", "smsc-simulator"]));
    const builds = res.docker.filter((c) => c.startsWith("build "));
    expect(builds).toEqual(
      services.map(
        (s) =>
          `build -f deploy/Dockerfile --build-arg SERVICE=${s} -t ghcr.io/acme/smsgw/${s}:1.4.0 .`,
      ),
    );
    expect(res.docker.filter((c) => c.startsWith("push "))).toEqual(
      services.map((s) => `push ghcr.io/acme/smsgw/${s}:1.4.0`),
    );
  });

  it("when asked to push without a registry, it refuses before building", () => {
    const res = withDocker(true, { PUSH: "1" });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/PUSH=1 needs REGISTRY/);
    expect(res.docker.filter((c) => c.startsWith("build "))).toEqual([]);
  });
});
