import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  consoleRpcSubjects,
  NATS_OPERATOR_USER,
  NATS_USERS,
  natsAuthorizationConfig,
  natsPasswordVariable,
  subjects,
} from "@smsgw/contracts";
import {
  freePort,
  type NatsServerProcess,
  type ServiceProcess,
  startNatsServer,
  startServiceProcess,
  waitFor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * NATS as a trust boundary (ADR 0015): a nats-server of the test's own, with the permission
 * file the deployments use (deploy/nats/auth.conf, rendered from contracts' grants), every
 * service under its own user. Each service starts and a message goes end to end with no
 * permission violation in the server's log (a grant missing fails here); a service with
 * another's credentials is refused what that one may not do.
 */
const ROOT = join(import.meta.dirname, "../../..");
const AUTH_FILE = join(ROOT, "deploy/nats/auth.conf");
const PREFIX = "sms";
const s = subjects(PREFIX);
const passwords = Object.fromEntries(
  [...NATS_USERS, NATS_OPERATOR_USER].map((user) => [user, `n${randomBytes(12).toString("hex")}`]),
);
const userEnv = (user: string) => ({ NATS_USER: user, NATS_PASSWORD: passwords[user] ?? "" });

let server: NatsServerProcess;
let dir: string;
let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  // The file under test is the checked-in one; test/manifests checks it is the grants' rendering.
  expect(readFileSync(AUTH_FILE, "utf8")).toBe(natsAuthorizationConfig(PREFIX));
  const port = await freePort();
  dir = join("/tmp", `smsgw-nats-auth-${port}`);
  rmSync(dir, { recursive: true, force: true });
  server = await startNatsServer({
    port,
    dir,
    config: "include auth.conf\n",
    files: { "auth.conf": readFileSync(AUTH_FILE, "utf8") },
    env: Object.fromEntries(
      Object.entries(passwords).map(([user, password]) => [natsPasswordVariable(user), password]),
    ),
  });
  gateway = await startGateway(
    { NATS_URL: server.url, NATS_PREFIX: PREFIX },
    {
      inbound: true,
      // This file runs its own server, with the checked-in file (prefix "sms").
      natsAuth: false,
      envOf: (service) => ({
        ...userEnv(service),
        // Admission's backlog probe (off in other tests) reads the consumers and the stream:
        // on, and often, so its grants are used too.
        ...(service === "ingress" || service === "smpp-server"
          ? { ADMISSION_ENABLED: "true", ADMISSION_POLL_MS: "100" }
          : {}),
      }),
    },
  );
  receiver = await startWebhookReceiver();
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await receiver?.close();
  await gateway?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connectAs(user: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: server.url,
    user,
    pass: passwords[user] ?? "",
    inboxPrefix: `_INBOX.${user}`,
  });
  connections.push(nc);
  return nc;
}

/** The server's permission violations so far, one `<kind> - User "<u>", Subject "<s>"` each. */
const violations = () =>
  server
    .log()
    .split("\n")
    .filter((line) => /Violation/.test(line))
    .map((line) => line.replace(/^.*? - (\w+ Violation)/, "$1"));

/** The operation is refused: it fails, and the server logged the user's violation on the subject. */
async function expectRefused(
  operation: () => Promise<unknown>,
  user: string,
  subject: string,
): Promise<void> {
  const outcome = await Promise.race([
    operation().then(
      (value) => `done: ${JSON.stringify(value)}`,
      (error: unknown) => `failed: ${String(error)}`,
    ),
    new Promise((resolve) => setTimeout(() => resolve("failed: no answer in 3 s"), 3_000)),
  ]);
  expect(outcome, `${user} on ${subject}`).toMatch(/^failed/);
  await waitFor(
    () => violations().some((v) => v.includes(`User "${user}"`) && v.includes(subject)),
    { timeoutMs: 5_000, what: `the server to log ${user}'s violation on ${subject}` },
  );
}

/** Subscribes; a refused subscription is closed by the server with the violation as its error. */
async function subscribed(nc: NatsConnection, subject: string): Promise<void> {
  const closed = await nc.subscribe(subject).closed;
  if (closed instanceof Error) throw closed;
}

describe("each service under its own NATS user", () => {
  it("when every service runs with its own credentials, one message goes end to end and the server logs no violation", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "nats-auth",
      credits: "10",
    });
    const query = new URLSearchParams({
      hash: account.hash,
      token: account.token,
      fromNumber: "MyApp",
      toNumber: "+37256789045",
      text: "Hello under permissions",
      callbackUrl: receiver.url("/dlr"),
    });
    const res = await fetch(`${gateway.baseUrl}/?${query}`);
    const body = (await res.json()) as { status: string; messageId: string };
    expect(body.status).toBe("success");
    await waitFor(
      () => receiver.forMessage(body.messageId).find((w) => w.json.status === "delivered"),
      { timeoutMs: 30_000, what: "the delivered webhook" },
    );
    // The event store recorded the webhook attempt the dispatcher published.
    const status = await fetch(`${gateway.baseUrl}/v1/messages/${body.messageId}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
      },
    });
    expect(((await status.json()) as { status: string }).status).toBe("delivered");
    // Erasure (ADR 0021): ingress asks the event store, which tells the dispatcher and the
    // SMPP server on <p>.status.erased.
    const redacted = await fetch(`${gateway.baseUrl}/v1/messages/${body.messageId}/redact`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
      },
    });
    expect(redacted.status).toBe(200);
    expect(((await redacted.json()) as { to: string }).to).toBe("+3725678****");
    // The stream eraser deletes the message's copies from the stream under the event store's
    // user: it reads the consumers, gets and deletes stream messages (ADR 0021).
    const db = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
    try {
      await waitFor(
        async () => (await db`select 1 from event_store.stream_erasures limit 1`).length === 0,
        { timeoutMs: 15_000, what: "the stream eraser to delete the message's copies" },
      );
    } finally {
      await db.end();
    }
    expect(violations()).toEqual([]);
  }, 60_000);

  it("when an MO goes to an account's number under everyone's own credentials, it reaches its webhook and the server logs no violation", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "nats-auth-inbound",
      credits: "1",
    });
    const number = "+37250000011";
    await gateway.inbound?.numbers.put({
      number,
      carrierId: "sim-a",
      country: "EE",
      simulator: true,
    });
    const basic = Buffer.from(`${account.hash}:${account.token}`).toString("base64");
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${gateway.baseUrl}${path}`, {
        method,
        headers: { authorization: `Basic ${basic}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await api("POST", "/v1/numbers", { number })).status).toBe(201);
    const inboundUrl = receiver.url("/mo");
    expect((await api("PATCH", `/v1/numbers/${number}`, { inboundUrl })).status).toBe(200);
    await waitFor(
      () => gateway.simulator.sendMo("sim-a", { from: "+37256789045", to: number, text: "Hi" }),
      { what: "an SMPP receiver bound to sim-a" },
    );
    await waitFor(
      () => receiver.received.find((w) => w.json.type === "inbound" && w.json.to === number),
      { timeoutMs: 30_000, what: "the inbound webhook" },
    );
    expect(violations()).toEqual([]);
  }, 60_000);

  it("when the console runs as its own user, it starts, and only its user may ask pricing to rotate a token", async () => {
    const consoleProcess: ServiceProcess = await startServiceProcess("console", {
      ...gateway.infra.env,
      NATS_URL: server.url,
      NATS_PREFIX: PREFIX,
      HTTP_PORT: "0",
      ...userEnv("console"),
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${violations().join("\n")}`);
    });
    try {
      const account = await gateway.pricing.accounts.createAccount({
        name: "nats-auth-rotate",
        credits: "1",
      });
      const rotate = consoleRpcSubjects(PREFIX).rotateToken;
      const request = JSON.stringify({ accountId: account.accountId });
      const asConsole = await connectAs("console");
      const answer = (await asConsole.request(rotate, request, { timeout: 5_000 })).json<{
        outcome: string;
      }>();
      expect(answer.outcome).toBe("rotated");
      expect(violations()).toEqual([]);

      const asIngress = await connectAs("ingress");
      await expectRefused(
        () => asIngress.request(rotate, request, { timeout: 2_000 }),
        "ingress",
        rotate,
      );
    } finally {
      await consoleProcess.stop();
    }
  }, 60_000);
});

describe("a service with another service's credentials", () => {
  it("when the dispatcher's or routing's user publishes an accepted event, JetStream never stores it (routing holds a message on its own subject instead)", async () => {
    const accepted = s.event("MessageAccepted");
    for (const user of ["dlr-dispatcher", "routing"] as const) {
      const nc = await connectAs(user);
      await expectRefused(
        () => jetstream(nc).publish(accepted, "{}", { timeout: 2_000 }),
        user,
        accepted,
      );
    }
  });

  it("when the connector's user reads the accounts bucket, it is refused", async () => {
    const nc = await connectAs("carrier-connector");
    const kv = await new Kvm(nc).open(s.accountsBucket).catch(() => undefined);
    await expectRefused(
      async () => {
        if (!kv) throw new Error("refused at open");
        return kv.get("any-hash");
      },
      "carrier-connector",
      `KV_${s.accountsBucket}`,
    );
    // Nor can it listen on the bucket's subjects or on another service's replies.
    await expectRefused(
      async () => {
        await subscribed(nc, `$KV.${s.accountsBucket}.>`);
      },
      "carrier-connector",
      `$KV.${s.accountsBucket}.>`,
    );
    await expectRefused(
      async () => {
        await subscribed(nc, "_INBOX.ingress.>");
      },
      "carrier-connector",
      "_INBOX.ingress.>",
    );
  });

  it("when ingress's user (which reads the accounts) reads the webhook secrets, it is refused; the record it reads holds none", async () => {
    const account = await gateway.pricing.accounts.createAccount({ name: "secrets", credits: "1" });
    const asIngress = await connectAs("ingress");
    const secrets = await new Kvm(asIngress).open(s.webhookSecretsBucket).catch(() => undefined);
    await expectRefused(
      async () => {
        if (!secrets) throw new Error("refused at open");
        return secrets.get(account.hash);
      },
      "ingress",
      `KV_${s.webhookSecretsBucket}`,
    );
    const accounts = await new Kvm(asIngress).open(s.accountsBucket);
    const record = await waitFor(async () => (await accounts.get(account.hash))?.json());
    expect(record).not.toHaveProperty("webhookSecrets");
  });

  it("when ingress's user puts an account record, it is refused; pricing's user may", async () => {
    const asIngress = await connectAs("ingress");
    const kv = await new Kvm(asIngress).open(s.accountsBucket);
    const key = `$KV.${s.accountsBucket}.forged`;
    await expectRefused(() => kv.put("forged", '{"forged":true}'), "ingress", key);
    expect(await kv.get("forged")).toBeNull();

    const asPricing = await connectAs("pricing");
    const owner = await new Kvm(asPricing).open(s.accountsBucket);
    await owner.put("written-by-pricing", "{}");
    expect((await kv.get("written-by-pricing"))?.string()).toBe("{}");
    await owner.delete("written-by-pricing");
  });

  it("when the connector's user (which may pull durables it names) pulls or acks the event store's durable, it is refused", async () => {
    const nc = await connectAs("carrier-connector");
    const next = `$JS.API.CONSUMER.MSG.NEXT.${s.stream}.event-store`;
    await expectRefused(
      () => nc.request(next, JSON.stringify({ batch: 1, no_wait: true }), { timeout: 2_000 }),
      "carrier-connector",
      next,
    );
    const info = `$JS.API.CONSUMER.INFO.${s.stream}.routing-accepted`;
    await expectRefused(() => nc.request(info, "", { timeout: 2_000 }), "carrier-connector", info);
    // Nor re-create another's durable with a filter of its own (its create form needs one).
    const create = `$JS.API.CONSUMER.CREATE.${s.stream}.event-store.${PREFIX}.submit.sim-a`;
    await expectRefused(
      () => nc.request(create, "{}", { timeout: 2_000 }),
      "carrier-connector",
      create,
    );
  });

  it("when routing's user updates the event stream's configuration, it is refused: only the event store's may", async () => {
    const nc = await connectAs("routing");
    const update = `$JS.API.STREAM.UPDATE.${s.stream}`;
    await expectRefused(
      async () => {
        const jsm = await jetstreamManager(nc);
        const { config } = await jsm.streams.info(s.stream);
        return jsm.streams.update(s.stream, { ...config, max_age: 1_000_000_000 });
      },
      "routing",
      update,
    );
    const asStore = await connectAs("event-store");
    const { config } = await (await jetstreamManager(asStore)).streams.info(s.stream);
    expect(config.max_age).toBeGreaterThan(1_000_000_000);
  });

  it("when a connection has no credentials or a wrong password, the server refuses it", async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(
      /Authorization/i,
    );
    await expect(
      connect({ servers: server.url, user: "pricing", pass: "wrong", reconnect: false }),
    ).rejects.toThrow(/Authorization/i);
  });
});

// The SMPP server, like the others, starts under its own user.
it("when the SMPP server runs as its own user, it starts with no violation", async () => {
  const smpp = await startServiceProcess("smpp-server", {
    ...gateway.infra.env,
    NATS_URL: server.url,
    NATS_PREFIX: PREFIX,
    SMPP_PORT: String(await freePort()),
    ...userEnv("smpp-server"),
  });
  await smpp.stop();
  expect(violations().filter((v) => v.includes('User "smpp-server"'))).toEqual([]);
}, 60_000);
