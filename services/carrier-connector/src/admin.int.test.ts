import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type SimulatorProcess,
  startSimulatorProcess,
  type TestInfra,
  waitFor,
} from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCarrierConnectorConfig } from "./config.ts";
import { type StartedCarrierConnector, startCarrierConnector } from "./service.ts";

const log = createLogger("connector-admin-test", process.env.TEST_LOG_LEVEL ?? "silent");
const TOKEN = "admin-token-for-tests-0123456789";
let infra: TestInfra;
let simulator: SimulatorProcess;
let connector: StartedCarrierConnector;

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "carrier-connector" });
  simulator = await startSimulatorProcess({
    SIM_CARRIERS: JSON.stringify([
      { id: "seeded", port: 0 },
      { id: "added", port: 0, password: "pw2" },
      { id: "by-cli", port: 0, password: "stdinpw" },
    ]),
  });
  connector = await startCarrierConnector(
    loadCarrierConnectorConfig({
      ...infra.env,
      HEALTH_PORT: "0",
      ADMIN_PORT: "0",
      ADMIN_TOKEN: TOKEN,
      CARRIER_RELOAD_MS: "200",
      CARRIERS: JSON.stringify([
        { id: "seeded", port: simulator.ports.seeded, password: "secret" },
      ]),
    }),
    log,
  );
});

afterAll(async () => {
  await connector?.stop();
  await simulator?.stop();
  await infra?.cleanup();
});

const api = (method: string, path: string, body?: unknown, token = TOKEN) =>
  fetch(`http://127.0.0.1:${connector.adminPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("carriers managed by the operator", () => {
  it("when the table is empty on the first start, CARRIERS seeds it and is listed without passwords", async () => {
    await waitFor(() => connector.boundCarriers().includes("seeded"));
    const response = await api("GET", "/v1/carriers");
    expect(response.status).toBe(200);
    const { carriers } = (await response.json()) as { carriers: Array<Record<string, unknown>> };
    expect(carriers).toMatchObject([
      { id: "seeded", password: "********", status: { bindsUp: 1 } },
    ]);
    expect(JSON.stringify(carriers)).not.toContain("secret");
  });

  it("when a carrier is PUT, it is bound without a restart; a bad one is a 400 naming the field", async () => {
    const bad = await api("PUT", "/v1/carriers/added", { port: "x", password: "pw2" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      status: "invalid_params",
      message: expect.stringMatching(/port/),
    });
    expect((await api("PUT", "/v1/carriers/Bad Id", { port: 1, password: "p" })).status).toBe(400);

    const good = await api("PUT", "/v1/carriers/added", {
      port: simulator.ports.added,
      password: "pw2",
      binds: 2,
      simulated: true,
    });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ carrier: { simulated: true } });
    const notBoolean = await api("PUT", "/v1/carriers/added", {
      port: simulator.ports.added,
      password: "pw2",
      simulated: "yes",
    });
    expect(notBoolean.status).toBe(400);
    await waitFor(() => connector.boundCarriers().includes("added"), { what: "the new bind" });
    await waitFor(async () => (await simulator.binds()).added?.accepted === 2, {
      what: "two binds",
    });
  });

  it("when a carrier is DELETEd, it is unbound; an unknown one is a 404; no token is a 401", async () => {
    expect((await api("DELETE", "/v1/carriers/added")).status).toBe(204);
    await waitFor(() => !connector.boundCarriers().includes("added"), { what: "the unbind" });
    expect((await api("DELETE", "/v1/carriers/added")).status).toBe(404);
    expect((await api("GET", "/v1/carriers", undefined, "wrong-token-wrong-token")).status).toBe(
      401,
    );
  });

  it("when the CLI sets a carrier, a running connector picks it up (reload), and list shows it", async () => {
    const gw = (...args: string[]) => {
      const running = promisify(execFile)(process.execPath, ["src/cli.ts", "carriers", ...args], {
        cwd: new URL("..", import.meta.url).pathname,
        env: { ...process.env, ...infra.env },
      });
      // The password travels on standard input (password=-), not on the command line.
      running.child.stdin?.end("stdinpw\n");
      return running;
    };
    const set = await gw(
      "set",
      "by-cli",
      `port=${simulator.ports["by-cli"]}`,
      "password=-",
      "simulated=true",
      "--json",
    );
    expect(JSON.parse(set.stdout)).toMatchObject({
      carrier: { id: "by-cli", password: "********", simulated: true },
    });
    await waitFor(() => connector.boundCarriers().includes("by-cli"), {
      what: "the CLI's carrier",
    });
    const list = await gw("list");
    expect(list.stdout).toMatch(/^by-cli\s+127\.0\.0\.1:\d+ transceiver×1/m);
    const refused = await gw("set", "by-cli", "binds=99").catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect(refused).toMatchObject({ code: 1, stdout: expect.stringMatching(/binds/) });
  }, 30_000);
});
