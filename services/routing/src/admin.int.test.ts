import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Kvm } from "@nats-io/kv";
import { RoutingRules } from "@smsgw/contracts";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES_KEY } from "./kv/route-store.ts";
import { startRouting } from "./service.ts";
import {
  accepted,
  health,
  type RoutingUnderTest,
  silent,
  startRoutingUnderTest,
} from "./test-support.ts";

const TOKEN = "test-admin-token-0123456789";
let t: RoutingUnderTest;

beforeAll(async () => {
  t = await startRoutingUnderTest({ ADMIN_PORT: "0", ADMIN_TOKEN: TOKEN });
});

afterAll(async () => {
  await t?.stop();
});

function admin(path: string, init: RequestInit & { token?: string } = {}) {
  const { token = TOKEN, ...rest } = init;
  return fetch(`http://127.0.0.1:${t.routing.adminPort}${path}`, {
    ...rest,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
}

async function publishedRules(): Promise<RoutingRules | undefined> {
  const kv = await new Kvm(t.messaging.nats.nc).open(t.messaging.subjects.routingBucket);
  const entry = await kv.get(RULES_KEY);
  return entry?.operation === "PUT" ? RoutingRules.parse(entry.json()) : undefined;
}

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const run = promisify(execFile);

describe("operator-managed routes", () => {
  it("when the store starts empty, it is seeded from ROUTES and the rules are published for ingress", async () => {
    const rules = await waitFor(publishedRules);
    expect(rules.routablePrefixes).toEqual([
      "+1",
      "+33",
      "+358",
      "+370",
      "+371",
      "+372",
      "+44",
      "+46",
      "+49",
    ]);
    expect(rules.senderRules).toEqual([]);
  });

  it("when the token is missing or wrong, the admin API answers 401 in JSON", async () => {
    const response = await admin("/v1/routes", { token: "wrong" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      status: "auth_failed",
      message: "a valid Bearer token is required",
    });
  });

  it("when a route is set, every replica routes by it without restart and ingress's rules follow", async () => {
    const second = await startRouting(
      { ...t.config, HEALTH_PORT: 0, ADMIN_TOKEN: undefined },
      silent,
    );
    try {
      const body = {
        carriers: [
          { carrierId: "sim-b", costPerPart: 250 },
          { carrierId: "sim-a", costPerPart: 200 },
        ],
      };
      const response = await admin("/v1/routes/+48", { method: "PUT", body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      await waitFor(() => second.view().table.routes.some((r) => r.prefix === "+48"));
      await waitFor(async () => (await publishedRules())?.routablePrefixes.includes("+48"));
      const event = accepted("+48501234567");
      await t.messaging.publisher.publish(event);
      const [routed] = await t.recorder.ordersFor(event.messageId);
      expect(routed?.data.carrierId).toBe("sim-a");
    } finally {
      await second.stop();
    }
  });

  it("when the body is bad, the admin API answers 400 naming the field, never 500", async () => {
    const bad = await admin("/v1/routes/+48", {
      method: "PUT",
      body: JSON.stringify({ carriers: [{ carrierId: "X" }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      status: "invalid_params",
      message: expect.stringMatching(/carrierId/),
    });
    const malformed = await admin("/v1/routes/+48", { method: "PUT", body: "{" });
    expect(malformed.status).toBe(400);
    const prefix = await admin("/v1/routes/+0", { method: "DELETE" });
    expect(prefix.status).toBe(400);
  });

  it("when a sender rule is set and a route deleted, the published rules say so", async () => {
    const rule = { alphanumericAllowed: false, registeredOnly: false, registeredSenders: [] };
    expect(
      (await admin("/v1/senders/1", { method: "PUT", body: JSON.stringify(rule) })).status,
    ).toBe(200);
    expect((await admin("/v1/routes/+48", { method: "DELETE" })).status).toBe(204);
    expect((await admin("/v1/routes/+48", { method: "DELETE" })).status).toBe(404);
    const rules = await waitFor(async () => {
      const current = await publishedRules();
      return (
        current &&
        !current.routablePrefixes.includes("+48") &&
        current.senderRules.length > 0 &&
        current
      );
    });
    expect(rules.senderRules).toEqual([{ prefix: "+1", ...rule }]);
    expect(await (await admin("/v1/senders")).json()).toEqual({
      senders: [{ prefix: "+1", ...rule }],
    });
  });

  it("when the CLI sets and lists routes, it works on the same store (--json)", async () => {
    const env = { ...process.env, ...t.infra.env };
    const node = process.execPath;
    await run(node, [cli, "routes", "set", "+47", "sim-a:300", "sim-b:280:5:numeric"], { env });
    const { stdout } = await run(node, [cli, "routes", "list", "--json"], { env });
    const { routes } = JSON.parse(stdout) as {
      routes: Array<{ prefix: string; carriers: unknown[] }>;
    };
    expect(routes.find((r) => r.prefix === "+47")?.carriers).toEqual([
      { carrierId: "sim-a", costPerPart: 300, priority: 100, alphanumeric: true },
      { carrierId: "sim-b", costPerPart: 280, priority: 5, alphanumeric: false },
    ]);
    await waitFor(() => t.routing.view().table.routes.some((r) => r.prefix === "+47"));
    const usage = await run(node, [cli, "routes", "set", "+47"], { env }).catch(
      (error: { code: number }) => error,
    );
    expect(usage).toMatchObject({ code: 2 });
  });

  it("when asked for scores, the admin API shows the live view", async () => {
    const response = await admin("/v1/scores");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scores: {}, health: {} });
  });
});

describe("the routes ingress bills with 16-bit-UDH parts (ADR 0011)", () => {
  it("when the connectors tell each carrier's header, the published rules name the routes with a udh16 carrier; before, every route counts as one", async () => {
    // No connector has told anything yet: every header is unknown, the worst case for all.
    const before = await waitFor(publishedRules);
    expect(before.udh16Prefixes).toEqual(before.routablePrefixes);

    await t.putHealth(
      { ...health("sim-a", 2), concat: "udh16" },
      { ...health("sim-b", 2), concat: "udh8" },
    );
    const sims = await waitFor(
      async () => {
        const rules = await publishedRules();
        return rules?.udh16Prefixes && !rules.udh16Prefixes.includes("+371") ? rules : undefined;
      },
      { what: "rules that know sim-a and sim-b" },
    );
    // The routes with sim-a: the seeded +358, +372, +44, +46, +49 and the CLI test's +47.
    expect(sims.udh16Prefixes).toEqual(["+358", "+372", "+44", "+46", "+47", "+49"]);

    // A change through the admin API (the CLI's path too) reads the same records.
    const body = { carriers: [{ carrierId: "sim-b", costPerPart: 250 }] };
    await admin("/v1/routes/+48", { method: "PUT", body: JSON.stringify(body) });
    const after = await waitFor(async () => {
      const rules = await publishedRules();
      return rules?.routablePrefixes.includes("+48") ? rules : undefined;
    });
    expect(after.udh16Prefixes).not.toContain("+48");
  });
});
