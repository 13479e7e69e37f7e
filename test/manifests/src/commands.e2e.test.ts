import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerEnv, containers, initContainers } from "./k8s.ts";
import { freePort, type Started, start, stop, waitReady } from "./processes.ts";
import {
  composeValue,
  type Obj,
  obj,
  ROOT,
  SERVICES,
  type ServiceFacts,
  STANDIN_SECRET_KEY,
  yamlDocs,
} from "./repo.ts";

/**
 * The images' command, `node src/main.ts` in services/<service>, run outside a container
 * with the environment compose gives it: only what cannot be the same here is replaced
 * (NATS and PostgreSQL of this machine with a fresh prefix and database, free ports instead
 * of the fixed ones, 127.0.0.1 for the simulator's host name, a local OTLP sink for the
 * collector). Every service must become ready and exit 0 on SIGTERM.
 */
const compose = obj(obj(yamlDocs("deploy/compose.yaml")[0]).services);
const composeEnv = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(obj(obj(compose[name]).environment)).map(([k, v]) => [
      k,
      composeValue(String(v)),
    ]),
  );

const byName = (n: string) => SERVICES.find((s) => s.name === n) as ServiceFacts;

/** This machine's NATS is one server, not the base's 3-node cluster: one stream copy. */
const LOCAL_STREAM_REPLICAS = "1";
/**
 * This machine's NATS speaks plain NATS and has no users (it ignores the k8s user and
 * password); the base's TLS CA file is not here. Users and permissions are tested against a
 * server with the permission file in test/e2e (nats-permissions.e2e.test.ts).
 */
function plainNats(env: Record<string, string>): Record<string, string> {
  const { NATS_TLS_CA_FILE: _ca, ...rest } = env;
  return rest;
}

let infra: TestInfra;
let otlp: Server;
let otlpUrl: string;
const running: Started[] = [];
const simPorts = new Map<string, number>();

async function run(facts: ServiceFacts, env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const p = start(
    facts.name,
    process.execPath,
    ["src/main.ts"],
    join(ROOT, "services", facts.name),
    {
      ...env,
      [facts.portVar]: String(port),
      // The ingress's API (compose's 8080) on a free port too: a running stack may hold 8080.
      ...(facts.name === "ingress" ? { HTTP_PORT: String(await freePort()) } : {}),
    },
  );
  running.push(p);
  await waitReady(p, `http://127.0.0.1:${port}/readyz`);
  return p;
}

/**
 * The pod's init container (base: the service's image and environment with MIGRATE=only,
 * k8s-base checks that) run with the environment the service gets here: it must migrate and
 * exit 0 before the service, which has MIGRATE=false, can start.
 */
async function migrateFirst(
  facts: ServiceFacts,
  workload: Obj,
  configMaps: Map<string, Obj>,
  env: Record<string, string>,
): Promise<void> {
  const [init] = initContainers(workload);
  if (!init) return;
  const migrate = start(
    `${facts.name} migrate`,
    process.execPath,
    ["src/main.ts"],
    join(ROOT, "services", facts.name),
    {
      ...env,
      MIGRATE: containerEnv(init, configMaps).env.MIGRATE ?? "",
      [facts.portVar]: String(await freePort()),
    },
  );
  expect(await migrate.exited, migrate.output()).toBe(0);
  expect(migrate.output()).toMatch(/migrations applied; exiting \(MIGRATE=only\)/);
}

function localEnv(name: string): Record<string, string> {
  const env = composeEnv(name);
  Object.assign(env, infra.env, { LOG_LEVEL: "info" });
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) env.OTEL_EXPORTER_OTLP_ENDPOINT = otlpUrl;
  return env;
}

/** compose's carriers, aimed at the simulator started here. */
function localCarriers(carriersJson: string): string {
  const carriers = JSON.parse(carriersJson) as Obj[];
  return JSON.stringify(
    carriers.map((c) => ({ ...c, host: "127.0.0.1", port: simPorts.get(String(c.id)) })),
  );
}

beforeAll(async () => {
  infra = await createTestInfra();
  // Stands in for the collector: takes whatever OTLP the services send and says OK.
  otlp = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => otlp.listen(0, "127.0.0.1", resolve));
  const address = otlp.address();
  otlpUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  await Promise.all(running.map((p) => stop(p)));
  await new Promise((resolve) => otlp?.close(resolve));
  await infra?.cleanup();
});

describe("the images' commands, run outside a container", () => {
  it("when started with compose's environment, every service becomes ready and stops on SIGTERM", async () => {
    const simEnv = localEnv("smsc-simulator");
    const sims = JSON.parse(simEnv.SIM_CARRIERS ?? "[]") as Obj[];
    for (const sim of sims) simPorts.set(String(sim.id), await freePort());
    simEnv.SIM_CARRIERS = JSON.stringify(
      sims.map((s) => ({ ...s, port: simPorts.get(String(s.id)) })),
    );
    const simulator = await run(byName("smsc-simulator"), simEnv);

    const others = SERVICES.filter((s) => s.name !== "smsc-simulator");
    const started = await Promise.all(
      others.map((facts) => {
        const env = localEnv(facts.name);
        if (env.CARRIERS) env.CARRIERS = localCarriers(env.CARRIERS);
        return run(facts, env);
      }),
    );
    expect(started.map((p) => p.name).sort()).toEqual(others.map((s) => s.name).sort());

    // Graceful stop: each exits 0 on SIGTERM, the way compose and Kubernetes stop it.
    const codes = await Promise.all(
      [...started, simulator].map(async (p) => [p.name, await stop(p)]),
    );
    expect(Object.fromEntries(codes)).toEqual(Object.fromEntries(SERVICES.map((s) => [s.name, 0])));
  });

  it("when two connector replicas run with the k8s environment, they share the carrier's binds", async () => {
    const base = yamlDocs("k8s/base/carrier-connector.yaml").map((d) => obj(d));
    const common = yamlDocs("k8s/base/common.yaml").map((d) => obj(d));
    const sts = obj(base.find((d) => d.kind === "StatefulSet"));
    const configMaps = new Map(common.map((d) => [String(obj(d.metadata).name), d]));
    const { env: k8sEnv, fromRefs } = containerEnv(obj(containers(sts)[0]), configMaps);
    expect(Object.keys(fromRefs).sort()).toEqual(
      [
        "ADMIN_OPERATORS",
        "ADMIN_TOKEN",
        "CARRIERS",
        "CARRIER_SECRETS_KEY",
        "CARRIER_SECRETS_KEY_PREVIOUS",
        "DATABASE_URL",
        "NATS_PASSWORD",
        "REPLICA_ID",
      ].sort(),
    );
    // Its own database: the carriers table is seeded once, by whichever replica is first.
    const own = await createTestInfra();
    try {
      const simPort = await freePort();
      const sim = await run(byName("smsc-simulator"), {
        ...localEnv("smsc-simulator"),
        SIM_CARRIERS: JSON.stringify([{ id: "k8s-carrier", port: simPort, idBase: "hex" }]),
      });
      // Two binds, two replicas: each leases one slot and binds it (ADR 7).
      const seed = [
        { id: "k8s-carrier", host: "127.0.0.1", port: simPort, password: "secret", binds: 2 },
      ];
      // Both pods at once, each migrating first (the migrator's lock makes them take turns).
      const replicas = await Promise.all(
        ["carrier-connector-0", "carrier-connector-1"].map(async (pod) => {
          const env = plainNats({
            ...k8sEnv,
            ...own.env,
            LOG_LEVEL: "info",
            OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
            STREAM_REPLICAS: LOCAL_STREAM_REPLICAS,
            ADMIN_PORT: String(await freePort()),
            REPLICA_ID: pod, // fieldRef metadata.name
            CARRIERS: JSON.stringify(seed), // secretKeyRef smsgw-carriers carriers.json
            // secretKeyRef smsgw-carriers secrets-key: the replicas bind with sealed passwords.
            CARRIER_SECRETS_KEY: STANDIN_SECRET_KEY,
            NATS_PASSWORD: "a-local-nats-password", // secretKeyRef smsgw-nats
          });
          await migrateFirst(byName("carrier-connector"), sts, configMaps, env);
          return run(byName("carrier-connector"), env);
        }),
      );
      const bound = new RegExp(`"port":${simPort}[^\\n]*"msg":"bound"`);
      const deadline = Date.now() + 20_000;
      while (replicas.some((r) => !bound.test(r.output())) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const r of replicas) expect(r.output(), r.name).toMatch(bound);
      const codes = await Promise.all(replicas.map((r) => stop(r)));
      expect(codes).toEqual([0, 0]);
      await stop(sim);
    } finally {
      await own.cleanup();
    }
  });

  it("when started with the k8s base's environment, every production service becomes ready", async () => {
    const common = yamlDocs("k8s/base/common.yaml").map((d) => obj(d));
    const configMaps = new Map(common.map((d) => [String(obj(d.metadata).name), d]));
    const simPort = await freePort();
    const sim = await run(byName("smsc-simulator"), {
      ...localEnv("smsc-simulator"),
      SIM_CARRIERS: JSON.stringify([{ id: "sim-a", port: simPort }]),
    });
    const pods = await Promise.all(
      SERVICES.filter((s) => s.production).map(async (facts) => {
        const workload = yamlDocs(`k8s/base/${facts.name}.yaml`)
          .map((d) => obj(d))
          .find((d) => d.kind === "Deployment" || d.kind === "StatefulSet");
        const { env, fromRefs } = containerEnv(obj(containers(obj(workload))[0]), configMaps);
        // What the Secrets and the downward API would supply.
        const supplied: Record<string, string> = {
          DATABASE_URL: infra.env.DATABASE_URL ?? "",
          ADMIN_TOKEN: "a-local-admin-token-0123456789",
          NATS_PASSWORD: "a-local-nats-password",
          REPLICA_ID: `${facts.name}-0`,
          CARRIERS: JSON.stringify([
            { id: "sim-a", host: "127.0.0.1", port: simPort, password: "secret" },
          ]),
        };
        for (const key of Object.keys(fromRefs)) env[key] = supplied[key] ?? "";
        if (env.ADMIN_PORT) env.ADMIN_PORT = String(await freePort());
        const local = {
          NATS_URL: infra.env.NATS_URL ?? "",
          NATS_PREFIX: infra.prefix,
          OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
          STREAM_REPLICAS: LOCAL_STREAM_REPLICAS,
        };
        await migrateFirst(facts, obj(workload), configMaps, plainNats({ ...env, ...local }));
        return run(facts, plainNats({ ...env, ...local }));
      }),
    );
    const codes = await Promise.all([...pods, sim].map(async (p) => [p.name, await stop(p)]));
    expect(Object.fromEntries(codes)).toEqual(
      Object.fromEntries([...pods, sim].map((p) => [p.name, 0])),
    );
  });
});
