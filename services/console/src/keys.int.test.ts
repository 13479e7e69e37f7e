import { createHash } from "node:crypto";
import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type ServiceProcess,
  signedUp,
  startServiceProcess,
  type TestInfra,
  textOf,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { type StartedConsole, startConsole } from "./service.ts";

// The keys page over HTTP, against the real pricing (the keys' owner) as a process.
const log = createLogger("console-keys-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let pricing: ServiceProcess;
let consoleService: StartedConsole;
let sql: postgres.Sql;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra({ HTTP_PORT: "0", HEALTH_PORT: "0" }, { natsUser: "console" });
  pricing = await startServiceProcess("pricing", infra.envOf("pricing"));
  consoleService = await startConsole(loadConsoleConfig(infra.env), log);
  base = `http://127.0.0.1:${consoleService.port}`;
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
});

afterAll(async () => {
  await consoleService?.stop();
  await pricing?.stop();
  await sql?.end();
  await infra?.cleanup();
});

const PASSWORD = "correct horse battery";
const signUp = (email: string) => signedUp(base, email, PASSWORD);

async function keysOf(hash: string) {
  const [row] = await sql<Array<{ api_keys: Array<Record<string, unknown>> }>>`
    select api_keys from pricing.accounts where hash = ${hash}`;
  return row?.api_keys ?? [];
}

describe("the console's keys page", () => {
  it("when a key is created with the password, its secret is shown once and pricing keeps only its digest", async () => {
    const { visitor, hash } = await signUp("keys@example.com");
    const empty = await visitor.get("/keys");
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('id="no-keys"');

    const created = await visitor.post("/keys", {
      name: "backend",
      scopes: "send",
      allowedIps: "203.0.113.7/24, 2001:db8::/32",
      password: PASSWORD,
    });
    expect(created.status).toBe(200);
    const secret = textOf(created.text, "key-secret");
    expect(secret).toMatch(/^key_[0-9a-f]{20}\.[A-Za-z0-9_-]{43}$/);
    const [stored] = await keysOf(hash);
    expect(stored).toMatchObject({
      id: secret.split(".")[0],
      name: "backend",
      scopes: ["send"],
      allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
      secretSha256: createHash("sha256").update(secret).digest("hex"),
    });
    expect(JSON.stringify(stored)).not.toContain(secret.split(".")[1]);

    const listed = await visitor.get("/keys");
    expect(listed.text).toContain(`data-key="${String(stored?.id)}"`);
    expect(listed.text).toContain("203.0.113.0/24");
    expect(listed.text).not.toContain(secret);
  });

  it("when the form is wrong or the password is not right, no key is created", async () => {
    const { visitor, hash } = await signUp("keys-refused@example.com");
    await visitor.get("/keys");
    const noScope = await visitor.post("/keys", { name: "x", password: PASSWORD });
    expect(noScope.status).toBe(422);
    expect(noScope.text).toContain("Choose one or more scopes");
    const badIp = await visitor.post("/keys", {
      name: "x",
      scopes: "read",
      allowedIps: "10.0.0.0/33",
      password: PASSWORD,
    });
    expect(badIp.status).toBe(422);
    expect(badIp.text).toContain("Not an IPv4 or IPv6 CIDR: 10.0.0.0/33.");
    const wrong = await visitor.post("/keys", { name: "x", scopes: "read", password: "nope" });
    expect(wrong.status).toBe(403);
    const forged = await visitor.post(
      "/keys",
      { name: "x", scopes: "read", password: PASSWORD },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect(await keysOf(hash)).toEqual([]);
  });

  it("when a key is revoked, it is gone from the account; revoking it again says so", async () => {
    const { visitor, hash } = await signUp("keys-revoke@example.com");
    await visitor.get("/keys");
    const body = new URLSearchParams({
      name: "two scopes",
      password: PASSWORD,
      _csrf: visitor.csrf,
    });
    body.append("scopes", "send");
    body.append("scopes", "read");
    const created = await fetch(`${base}/keys`, {
      method: "POST",
      headers: {
        cookie: [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
    });
    expect(created.status).toBe(200);
    const [key] = await keysOf(hash);
    expect(key?.scopes).toEqual(["send", "read"]);
    await visitor.get("/keys");
    const revoked = await visitor.post(`/keys/${String(key?.id)}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.text).toContain("Key revoked.");
    expect(await keysOf(hash)).toEqual([]);
    const again = await visitor.post(`/keys/${String(key?.id)}/revoke`, {});
    expect(again.status).toBe(404);
    // The page's recent changes: the creation and the revocation, by the member, named.
    const audited = await visitor.get("/keys");
    expect(audited.text.match(/data-audit="api_key\.(created|revoked)"/g)).toEqual([
      'data-audit="api_key.revoked"',
      'data-audit="api_key.created"',
    ]);
    expect(audited.text).toMatch(
      /data-audit="api_key\.created">(?:(?!<\/tr>).)*keys-revoke@example\.com/,
    );
  });
});
