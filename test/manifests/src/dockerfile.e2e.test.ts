import { describe, expect, it } from "vitest";
import {
  dockerignorePatterns,
  globalArgs,
  type Instruction,
  includedByDockerignore,
  parseDockerfile,
  substitute,
} from "./dockerfile.ts";
import { exists, read } from "./repo.ts";

const instructions = parseDockerfile(read("deploy/Dockerfile"));
const args = globalArgs(instructions);
const lastStage = Math.max(...instructions.map((i) => i.stage));
const final = instructions.filter((i) => i.stage === lastStage);
const ops = (op: string, from: Instruction[] = instructions) => from.filter((i) => i.op === op);

describe("deploy/Dockerfile (hadolint-style rules)", () => {
  it("when a stage starts, its base image is pinned to an exact version, never latest", () => {
    const froms = ops("FROM").map((i) => substitute(i.args.split(/\s+/)[0] ?? "", args));
    expect(froms.length).toBeGreaterThanOrEqual(2); // multi-stage: build, then runtime
    for (const image of froms) {
      expect(image, image).toMatch(
        /^[a-z0-9./-]+:[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?$/,
      );
      expect(image).not.toMatch(/:latest\b/);
    }
  });

  it("when it names Node and pnpm versions, they are the ones bin/setup and package.json use", () => {
    const setup = read("bin/setup");
    expect(args.get("NODE_VERSION")).toBe(/node_version="([^"]+)"/.exec(setup)?.[1]);
    const pnpm = /ARG PNPM_VERSION=(\S+)/.exec(read("deploy/Dockerfile"))?.[1];
    expect(`pnpm@${pnpm}`).toBe(JSON.parse(read("package.json")).packageManager);
    expect(ops("RUN").some((i) => /npm install .*"?pnpm@\$\{PNPM_VERSION\}"?/.test(i.args))).toBe(
      true,
    );
  });

  it("when the image runs, it runs as a non-root user", () => {
    const users = ops("USER", final).map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    // Nothing runs as root after the switch (no RUN after the last USER).
    const lastUser = ops("USER", final).at(-1)?.line ?? 0;
    expect(ops("RUN", final).filter((i) => i.line > lastUser)).toEqual([]);
  });

  it("when files are copied into the runtime stage, they belong to that user", () => {
    const copies = ops("COPY", final);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.args, `line ${copy.line}`).toMatch(/--chown=node:node/);
  });

  it("when it has a HEALTHCHECK, CMD and WORKDIR, they are exec-form and absolute", () => {
    const health = ops("HEALTHCHECK", final);
    expect(health).toHaveLength(1);
    expect(health[0]?.args).toMatch(/CMD \[.*\/healthz/);
    expect(health[0]?.args).toMatch(/HEALTH_PORT/);
    const cmd = ops("CMD", final).at(-1)?.args ?? "";
    expect(JSON.parse(cmd)).toEqual(["node", "src/main.ts"]); // exec form: node gets SIGTERM
    for (const w of ops("WORKDIR")) expect(w.args).toMatch(/^\//);
    expect(ops("ENTRYPOINT", final)).toEqual([]); // no shell wrapper in front of node
  });

  it("when it copies or runs things, it follows hadolint's rules", () => {
    expect(ops("ADD")).toEqual([]); // DL3020: COPY, and never a URL
    expect(ops("MAINTAINER")).toEqual([]); // DL4000
    for (const run of ops("RUN")) {
      expect(run.args, `line ${run.line}`).not.toMatch(/\bsudo\b/); // DL3004
      expect(run.args, `line ${run.line}`).not.toMatch(/(^|&&|;)\s*cd\s/); // DL3003: WORKDIR
      expect(run.args, `line ${run.line}`).not.toMatch(/curl|wget/); // no downloads but the registry's
      if (/apt-get install/.test(run.args)) expect(run.args).toMatch(/--no-install-recommends/);
      if (/npm install/.test(run.args)) expect(run.args).toMatch(/@[0-9$]/); // DL3016: pinned
    }
    const env = ops("ENV", final)
      .map((i) => i.args)
      .join(" ");
    expect(env).toMatch(/HTTP_HOST=0\.0\.0\.0/); // containers listen beyond loopback
    expect(env).toMatch(/NODE_ENV=production/);
  });

  it("when the build stages a service, it installs production dependencies from the lockfile", () => {
    const stage = read("deploy/stage.sh");
    expect(stage).toMatch(/pnpm install [^\n]*--prod[^\n]*--frozen-lockfile/);
    expect(stage).toMatch(/--filter-prod "@smsgw\/\$service\.\.\."/);
    expect(ops("RUN").some((i) => i.args.includes("deploy/stage.sh"))).toBe(true);
    expect(ops("ARG").some((i) => i.args === "SERVICE")).toBe(true);
  });

  it("when the context is filtered, every COPY source is sent and nothing heavy is", () => {
    const patterns = dockerignorePatterns(read("deploy/Dockerfile.dockerignore"));
    const sources = ops("COPY")
      .filter((i) => !i.args.includes("--from="))
      .flatMap((i) => i.args.replace(/--\S+/g, "").trim().split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(exists(source), source).toBe(true);
      expect(includedByDockerignore(patterns, source), source).toBe(true);
    }
    for (const heavy of [
      "node_modules/x",
      "services/ingress/node_modules/x",
      ".tools/bin/node",
      ".git/HEAD",
      "test/e2e/package.json",
      "services/ingress/src/service.int.test.ts",
      ".env",
    ]) {
      expect(includedByDockerignore(patterns, heavy), heavy).toBe(false);
    }
    expect(includedByDockerignore(patterns, "services/ingress/src/main.ts")).toBe(true);
  });
});
