import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NATS_OPERATOR_USER,
  NATS_USERS,
  natsAuthorizationConfig,
  natsPasswordVariable,
} from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { NATS_AUTH_FILES } from "../../../scripts/nats-auth.ts";
import { containers, initContainers } from "./k8s.ts";
import { list, type Obj, obj, read, SERVICES, str, yamlDocs } from "./repo.ts";

/**
 * NATS's users (ADR 0015): the authorization files are the grants' rendering byte for byte,
 * the server accepts them, and every deployment gives NATS every password and each service
 * its own user and password (a service under another's name would be refused its subjects).
 */
const users = [...NATS_USERS, NATS_OPERATOR_USER];
const variables = users.map(natsPasswordVariable).sort();
/** The services that exist in this checkout and have a NATS user. */
const services = SERVICES.map((s) => s.name).filter((name) =>
  (NATS_USERS as readonly string[]).includes(name),
);

const compose = obj(yamlDocs("deploy/compose.yaml")[0]);
const composeService = (name: string) => obj(obj(compose.services)[name], name);
const base = (file: string) => yamlDocs(`k8s/base/${file}.yaml`).map((d) => obj(d));
const workload = (name: string) =>
  obj(
    base(name).find((d) => d.kind === "Deployment" || d.kind === "StatefulSet"),
    `${name} workload`,
  );
const envNamed = (container: Obj, name: string) =>
  list(container.env)
    .map((e) => obj(e))
    .find((e) => e.name === name);
const secretKeyOf = (entry: Obj | undefined) =>
  entry ? obj(obj(obj(entry.valueFrom).secretKeyRef)) : {};

describe("NATS authorization", () => {
  it("when the grants change, both authorization files are their rendering byte for byte", () => {
    // Regenerate with: node scripts/nats-auth.ts --write
    for (const file of NATS_AUTH_FILES) expect(read(file), file).toBe(natsAuthorizationConfig());
  });

  it("when nats-server reads the file with every password set, it accepts it; without one, it refuses to start", () => {
    const dir = mkdtempSync(join(tmpdir(), "smsgw-nats-auth-"));
    try {
      writeFileSync(join(dir, "auth.conf"), read(NATS_AUTH_FILES[0]));
      writeFileSync(join(dir, "nats.conf"), "port: 4222\ninclude auth.conf\n");
      const env = Object.fromEntries(variables.map((v) => [v, "nExamplePassword0"]));
      const test = (e: Record<string, string>) =>
        spawnSync("nats-server", ["-c", join(dir, "nats.conf"), "-t"], {
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", ...e },
        });
      const ok = test(env);
      expect(ok.status, ok.stderr).toBe(0);
      const { [variables[0] as string]: _, ...missingOne } = env;
      expect(test(missingOne).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when compose runs NATS, it has every password, and each service logs in as itself", () => {
    const nats = composeService("nats");
    expect(Object.keys(obj(nats.environment)).sort()).toEqual(variables);
    expect(list(nats.volumes)).toContain("./nats/auth.conf:/etc/nats/auth.conf:ro");
    for (const name of services) {
      const env = obj(composeService(name).environment);
      expect(env.NATS_USER, name).toBe(name);
      expect(str(env.NATS_PASSWORD), name).toContain(`\${${natsPasswordVariable(name)}:?`);
    }
  });

  it("when k8s runs NATS, it has every password from smsgw-nats, and each service's containers log in as it", () => {
    const nats = containers(workload("nats")).find((c) => c.name === "nats") as Obj;
    for (const user of users) {
      const key = secretKeyOf(envNamed(nats, natsPasswordVariable(user)));
      expect({ user, secret: key.name, key: key.key }).toEqual({
        user,
        secret: "smsgw-nats",
        key: user,
      });
    }
    for (const name of services) {
      const all = [...initContainers(workload(name)), ...containers(workload(name))];
      for (const container of all) {
        const where = `${name}/${str(container.name)}`;
        expect(envNamed(container, "NATS_USER")?.value, where).toBe(name);
        const key = secretKeyOf(envNamed(container, "NATS_PASSWORD"));
        expect({ secret: key.name, key: key.key }, where).toEqual({
          secret: "smsgw-nats",
          key: name,
        });
      }
    }
  });

  it("when an overlay supplies smsgw-nats, it has a password for every user", () => {
    const dev = obj(yamlDocs("k8s/overlays/dev/kustomization.yaml")[0]);
    const generated = list(dev.secretGenerator)
      .map((g) => obj(g))
      .find((g) => g.name === "smsgw-nats");
    const devKeys = list(generated?.literals).map((l) => String(l).split("=")[0]);
    expect(devKeys.sort()).toEqual([...users].sort());
    const external = yamlDocs("k8s/overlays/production/external-secrets.yaml")
      .map((d) => obj(d))
      .find((d) => obj(d.metadata).name === "smsgw-nats");
    const prodKeys = list(obj(external?.spec).data).map((d) => str(obj(d).secretKey));
    expect(prodKeys.sort()).toEqual([...users].sort());
  });
});
