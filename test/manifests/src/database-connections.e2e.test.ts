import { describe, expect, it } from "vitest";
import { findRenderer, kindOf } from "./k8s.ts";
import { filesUnder, list, type Obj, obj, read, SERVICES, str, yamlDocs } from "./repo.ts";

/**
 * Connections to PostgreSQL through the pooler (k8s/components/cloudnative-pg, ADR 0014): the
 * services' pools at their HPA maximums fit what one PgBouncer takes, the server connections
 * the poolers may open fit max_connections, and each service connects as the role that owns
 * its schema.
 */
const renderer = findRenderer();
const production = renderer.render("k8s/overlays/production");
const dev = renderer.render("k8s/overlays/dev");
const component = ["cluster.yaml", "pooler.yaml"].flatMap((f) =>
  yamlDocs(`k8s/components/cloudnative-pg/${f}`).map((d) => obj(d)),
);
const cluster = obj(component.find((d) => d.kind === "Cluster"));
const pooler = obj(component.find((d) => d.kind === "Pooler"));
const bouncer = obj(obj(obj(pooler.spec).pgbouncer).parameters);
const schemasSql = read("k8s/components/cloudnative-pg/schemas.sql");
/** Connections Postgres keeps for others than the poolers: the operator's instance manager,
 * the metrics exporter's queries, an operator's psql; superuser_reserved_connections besides. */
const OTHER_CONNECTIONS = 20;
const SUPERUSER_RESERVED = 3;

/** Each service's schema, as its sources name it (checked below against the sources). */
const SCHEMA_OF: Record<string, string> = {
  ingress: "ingress",
  pricing: "pricing",
  "carrier-connector": "connector",
  "dlr-dispatcher": "dispatcher",
  "event-store": "event_store",
  console: "console",
  "smpp-server": "smpp_server",
  inbound: "inbound",
  routing: "routing",
};

interface Pools {
  service: string;
  pool: number;
  replicas: number;
}

/** Every workload with a database: its pool (DATABASE_POOL_MAX or its schema's default) and its most replicas. */
function poolsAtMaximum(docs: Obj[]): Pools[] {
  const out: Pools[] = [];
  for (const w of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
    const name = String(obj(w.metadata).name);
    const facts = SERVICES.find((s) => s.name === name);
    const container = obj(list(obj(obj(obj(w.spec).template).spec).containers)[0]);
    const env = list(container.env).map((e) => obj(e));
    if (!facts || !env.some((e) => e.name === "DATABASE_URL")) continue;
    const set = str(env.find((e) => e.name === "DATABASE_POOL_MAX")?.value);
    const field = facts.schema.shape.DATABASE_POOL_MAX as unknown as {
      parse(v: unknown): number;
    };
    const hpa = docs.find(
      (d) => d.kind === "HorizontalPodAutoscaler" && obj(obj(d.spec).scaleTargetRef).name === name,
    );
    const replicas = hpa ? Number(obj(hpa.spec).maxReplicas) : Number(obj(w.spec).replicas ?? 1);
    out.push({ service: name, pool: field.parse(set), replicas });
  }
  return out;
}

function connectionProblems(pools: Pools[], clusterDoc: Obj, params: Obj, instances: number) {
  const problems: string[] = [];
  const clients = pools.reduce((sum, p) => sum + p.pool * p.replicas, 0);
  const maxClient = Number(params.max_client_conn);
  if (clients > maxClient) {
    problems.push(
      `the services' pools at their maximums (${clients}) exceed max_client_conn ${maxClient}`,
    );
  }
  const roles = list(obj(obj(clusterDoc.spec).managed).roles).length;
  const perRole = Number(params.default_pool_size);
  const perDb = Number(params.max_db_connections);
  if (roles * perRole > perDb) {
    problems.push(
      `${roles} roles × default_pool_size ${perRole} exceed max_db_connections ${perDb}`,
    );
  }
  const max = Number(obj(obj(obj(clusterDoc.spec).postgresql).parameters).max_connections);
  const server = instances * perDb + OTHER_CONNECTIONS + SUPERUSER_RESERVED;
  if (server > max) {
    problems.push(
      `${instances} poolers × max_db_connections ${perDb} + ${OTHER_CONNECTIONS + SUPERUSER_RESERVED} exceed max_connections ${max}`,
    );
  }
  return { clients, problems };
}

describe("PostgreSQL connections through the pooler", () => {
  const pools = poolsAtMaximum(production);
  const instances = Number(obj(pooler.spec).instances);

  it("when every service runs at its HPA maximum, the pools fit the pooler and the poolers fit Postgres", () => {
    expect(pools.map((p) => p.service).sort()).toEqual(Object.keys(SCHEMA_OF).sort());
    expect(obj(obj(pooler.spec).pgbouncer).poolMode).toBe("transaction");
    const { clients, problems } = connectionProblems(pools, cluster, bouncer, instances);
    expect(problems).toEqual([]);
    // Without the pooler these would be Postgres connections (issue 20: 334 against 200).
    expect(clients).toBeGreaterThan(
      Number(obj(obj(obj(cluster.spec).postgresql).parameters).max_connections),
    );
  });

  it("when a service's HPA maximum or pool grows past the limits, the check names the sum", () => {
    const grown = pools.map((p) => (p.service === "ingress" ? { ...p, replicas: 200 } : p));
    expect(connectionProblems(grown, cluster, bouncer, instances).problems[0]).toMatch(
      /pools at their maximums \(\d+\) exceed max_client_conn 1000/,
    );
    expect(connectionProblems(pools, cluster, bouncer, 3).problems).toEqual([
      "3 poolers × max_db_connections 90 + 23 exceed max_connections 210",
    ]);
  });

  it("when a service connects, it is as the role that owns its schema, through the pooler", () => {
    const secret = obj(
      dev.find(
        (d) => d.kind === "Secret" && String(obj(d.metadata).name).startsWith("smsgw-database"),
      ),
    );
    const problems: string[] = [];
    for (const [service, schema] of Object.entries(SCHEMA_OF)) {
      const encoded = str(obj(secret.data)[`${service}-url`]);
      const url = new URL(Buffer.from(encoded ?? "", "base64").toString());
      if (url.username !== schema) problems.push(`${service} connects as ${url.username}`);
      if (url.hostname !== String(obj(pooler.metadata).name))
        problems.push(`${service} bypasses the pooler`);
      if (!new RegExp(`^CREATE SCHEMA ${schema} AUTHORIZATION ${schema};$`, "m").test(schemasSql)) {
        problems.push(`schemas.sql does not give ${schema} to its role`);
      }
      const sources = filesUnder(`services/${service}/src`, /^(?!.*\.test\.ts$).*\.ts$/).map(read);
      if (!sources.some((t) => t.includes(`"${schema}"`)))
        problems.push(`${service}'s sources do not name schema ${schema}`);
    }
    expect(problems).toEqual([]);
    expect(kindOf(cluster)).toBe("Cluster/smsgw-pg");
  });

  it("when a service reads the event store's record (@smsgw/message-read-model), its role may read that schema and nothing grants it more", () => {
    const readers = Object.entries(SCHEMA_OF)
      .filter(([service]) => service !== "event-store")
      .filter(([service]) => read(`services/${service}/package.json`).includes(READ_MODEL))
      .map(([, role]) => role)
      .sort();
    // ADR 0014: ingress and the console (status, trail, log); ADR 0024: pricing's sweep;
    // ADR 0009 (amendment): routing's check of a redelivered failure; ADR 0012 (amendment):
    // the SMPP server's query_sm and cancel_sm.
    expect(readers).toEqual(["console", "ingress", "pricing", "routing", "smpp_server"]);
    const usage = schemasSql.match(/^GRANT USAGE ON SCHEMA event_store TO ([a-z_, ]+);$/m)?.[1];
    const select = schemasSql.match(
      /^ALTER DEFAULT PRIVILEGES FOR ROLE event_store IN SCHEMA event_store\n\s+GRANT SELECT ON TABLES TO ([a-z_, ]+);$/m,
    )?.[1];
    const roles = (granted: string | undefined) => (granted ?? "").split(/,\s*/).sort();
    expect(roles(usage)).toEqual(readers);
    expect(roles(select)).toEqual(readers);
  });
});

const READ_MODEL = '"@smsgw/message-read-model"';
