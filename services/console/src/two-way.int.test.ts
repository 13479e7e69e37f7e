import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type ServiceProcess,
  signedUp,
  startServiceProcess,
  type TestInfra,
  type Visitor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { type StartedConsole, startConsole } from "./service.ts";

// The numbers, inbound and opt-out pages over HTTP (api.md section 5), with pricing and the
// inbound service as their own processes on real Postgres and NATS: the console asks the
// inbound service as ingress does, for the session's account only.
const log = createLogger("console-test", process.env.TEST_LOG_LEVEL ?? "silent");
const PASSWORD = "correct horse battery";
const SIM_NUMBERS = ["+37250000001", "+37250000002"];
const REAL_NUMBER = "+37250000009";
let infra: TestInfra;
let pricing: ServiceProcess;
let inbound: ServiceProcess;
let consoleService: StartedConsole;
let sql: postgres.Sql;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra(
    { HTTP_PORT: "0", HEALTH_PORT: "0", SIGNUPS_PER_IP_HOUR: "50" },
    { natsUser: "console" },
  );
  pricing = await startServiceProcess("pricing", infra.envOf("pricing"));
  inbound = await startServiceProcess("inbound", infra.envOf("inbound"));
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  // The operator's inventory (bin/gw numbers add): two simulator numbers and a real one.
  for (const number of [...SIM_NUMBERS, REAL_NUMBER]) {
    await sql`insert into inbound.numbers (number, carrier_id, country, simulator)
      values (${number}, 'sim-a', 'EE', ${number !== REAL_NUMBER})`;
  }
  consoleService = await startConsole(loadConsoleConfig(infra.env), log);
  base = `http://127.0.0.1:${consoleService.port}`;
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await consoleService?.stop();
  await inbound?.stop();
  await pricing?.stop();
  await infra?.cleanup();
});

async function signUp(email: string) {
  const { visitor, hash } = await signedUp(base, email, PASSWORD);
  const [account] = await sql<Array<{ account_id: string }>>`
    select account_id from pricing.accounts where hash = ${hash}`;
  if (!account) throw new Error(`no account with hash ${hash}`);
  return { visitor, accountId: account.account_id };
}

const rowsOf = (page: string, attribute: string) =>
  [...page.matchAll(new RegExp(`data-${attribute}="([^"]+)"`, "g"))].map((m) => m[1]);

/** An inbound message of the account, as the inbound service stores a routed MO. */
async function storeInbound(accountId: string, i: number, text: string) {
  const id = `in_01KB${String(i).padStart(22, "0")}`;
  await sql`insert into inbound.messages
    (id, account_id, carrier_id, from_number, to_number, text, parts, received_at)
    values (${id}, ${accountId}, 'sim-a', '+37256789045', ${SIM_NUMBERS[0] ?? ""}, ${text}, 1,
      ${new Date(Date.UTC(2026, 11, 1) + i * 60_000)})`;
  return id;
}

describe("two-way messaging in the console", () => {
  let owner: { visitor: Visitor; accountId: string };

  it("when a test account takes a number by country, it gets a simulator number, never the real one, and can release it", async () => {
    owner = await signUp("numbers@example.com");
    const { visitor } = owner;
    expect((await visitor.get("/numbers")).text).toContain('id="no-numbers"');
    const first = await visitor.post("/numbers", { country: "ee", number: "" });
    expect(first.status).toBe(201);
    expect(rowsOf(first.text, "number")).toEqual([SIM_NUMBERS[0]]);
    expect(first.text).toContain("simulator numbers only");
    const second = await visitor.post("/numbers", { country: "EE", number: "" });
    expect(rowsOf(second.text, "number")).toEqual(SIM_NUMBERS);
    // Only the real number is left: a test account gets none.
    const none = await visitor.post("/numbers", { country: "EE", number: "" });
    expect(none.status).toBe(422);
    expect(none.text).toContain("No number is free there");
    const real = await visitor.post("/numbers", { country: "", number: REAL_NUMBER });
    expect(real.status).toBe(422);

    const released = await visitor.post(
      `/numbers/${encodeURIComponent("+37250000002")}/release`,
      {},
    );
    expect(released.status).toBe(200);
    expect(rowsOf(released.text, "number")).toEqual([SIM_NUMBERS[0]]);
    const [row] = await sql<Array<{ account_id: string | null }>>`
      select account_id from inbound.numbers where number = '+37250000002'`;
    expect(row?.account_id).toBeNull();
    // The keys page's recent changes show the inbound service's entries beside pricing's:
    // two numbers taken and one released, by this console user (the refused takes: none).
    const keys = (await visitor.get("/keys")).text;
    const actions = [...keys.matchAll(/data-audit="([a-z_.]+)"/g)].map((m) => m[1]);
    expect(actions.filter((a) => a?.startsWith("number."))).toEqual([
      "number.released",
      "number.taken",
      "number.taken",
    ]);
    expect(keys).not.toContain("cannot be shown just now");
  });

  it("when an inbound URL names a loopback host, the callback guard's reason is shown and nothing is saved; a public one is saved", async () => {
    const { visitor } = owner;
    const path = `/numbers/${encodeURIComponent(SIM_NUMBERS[0] ?? "")}/inbound-url`;
    const refused = await visitor.post(path, { inboundUrl: "http://127.0.0.1:9000/mo" });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("Inbound URL refused: 127.0.0.1 is a loopback address.");
    const saved = await visitor.post(path, { inboundUrl: "https://hooks.example.com/mo?k=1" });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('value="https://hooks.example.com/mo?k=1"');
    const [row] = await sql<Array<{ inbound_url: string | null }>>`
      select inbound_url from inbound.numbers where number = ${SIM_NUMBERS[0] ?? ""}`;
    expect(row?.inbound_url).toBe("https://hooks.example.com/mo?k=1");
  });

  it("when another account posts to the first one's number, it is not found and nothing changes", async () => {
    const { visitor } = await signUp("intruder@example.com");
    const number = encodeURIComponent(SIM_NUMBERS[0] ?? "");
    const release = await visitor.post(`/numbers/${number}/release`, {});
    expect(release.status).toBe(404);
    const url = await visitor.post(`/numbers/${number}/inbound-url`, {
      inboundUrl: "https://evil.example/mo",
    });
    expect(url.status).toBe(404);
    const [row] = await sql<Array<{ account_id: string; inbound_url: string }>>`
      select account_id, inbound_url from inbound.numbers where number = ${SIM_NUMBERS[0] ?? ""}`;
    expect(row).toEqual({
      account_id: owner.accountId,
      inbound_url: "https://hooks.example.com/mo?k=1",
    });
    expect((await visitor.get("/inbound")).text).toContain('id="no-inbound"');
  });

  it("when the account has inbound messages, they are listed newest first, 50 a page on a cursor, the text escaped", async () => {
    const { visitor, accountId } = owner;
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) ids.push(await storeInbound(accountId, i, `reply ${i}`));
    ids.push(await storeInbound(accountId, 99, `<script>alert("x")</script> & STOP`));
    const first = await visitor.get("/inbound");
    expect(first.status).toBe(200);
    const listed = rowsOf(first.text, "inbound");
    expect(listed).toHaveLength(50);
    expect(listed[0]).toBe(ids.at(-1));
    expect(first.text).not.toContain("<script>alert");
    expect(first.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; STOP");
    const next = /rel="next" href="([^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/inbound\?cursor=/);
    const second = await visitor.get(next ?? "");
    expect(rowsOf(second.text, "inbound")).toEqual(ids.slice(0, 6).reverse());
    expect(second.text).not.toContain('rel="next"');
    const stale = await visitor.get("/inbound?cursor=not-a-cursor");
    expect(stale.status).toBe(422);
    expect(rowsOf(stale.text, "inbound")).toHaveLength(50);
  });

  it("when a number is added to the opt-out list and removed, the list shows it, then not; a malformed number is refused", async () => {
    const { visitor } = owner;
    expect((await visitor.get("/opt-outs")).text).toContain('id="no-opt-outs"');
    const bad = await visitor.post("/opt-outs", { number: "5678 9045" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("international form");
    const added = await visitor.post("/opt-outs", { number: "+372 5678 9045" });
    expect(added.status).toBe(201);
    expect(rowsOf(added.text, "opt-out")).toEqual(["+37256789045"]);
    expect(added.text).toContain("added by you");
    const removed = await visitor.post(
      `/opt-outs/${encodeURIComponent("+37256789045")}/remove`,
      {},
    );
    expect(removed.status).toBe(200);
    expect(rowsOf(removed.text, "opt-out")).toEqual([]);
    const again = await visitor.post(`/opt-outs/${encodeURIComponent("+37256789045")}/remove`, {});
    expect(again.status).toBe(404);
  });

  it("when the opt-out list is longer than a page, it is paged, never cut off; a stale page link shows the start", async () => {
    const { visitor } = await signUp("many-opt-outs@example.com");
    const numbers = Array.from({ length: 201 }, (_, i) => `+3725600${String(i).padStart(4, "0")}`);
    for (const number of numbers) {
      expect((await visitor.post("/opt-outs", { number })).status).toBe(201);
    }
    const first = await visitor.get("/opt-outs");
    expect(rowsOf(first.text, "opt-out")).toHaveLength(200);
    const next = /rel="next" href="([^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/opt-outs\?cursor=/);
    const second = await visitor.get(next ?? "");
    expect(second.text).not.toContain('rel="next"');
    const shown = [...rowsOf(first.text, "opt-out"), ...rowsOf(second.text, "opt-out")];
    expect(shown.sort()).toEqual(numbers);
    const stale = await visitor.get("/opt-outs?cursor=not-a-cursor");
    expect(stale.status).toBe(422);
    expect(rowsOf(stale.text, "opt-out")).toHaveLength(200);
  });

  it("when the account asks for a sender ID, it waits for the operator, shows the decision and can be withdrawn; a numeric one is refused", async () => {
    const { visitor, accountId } = owner;
    expect((await visitor.get("/numbers")).text).toContain('id="no-sender-ids"');
    const asked = await visitor.post("/sender-ids", { sender: "MyShop" });
    expect(asked.status).toBe(200);
    expect(rowsOf(asked.text, "sender-id")).toEqual(["MyShop"]);
    expect(asked.text).toContain("MyShop is waiting for the operator&#39;s approval.");
    const numeric = await visitor.post("/sender-ids", { sender: "37255550000" });
    expect(numeric.status).toBe(422);
    expect(numeric.text).toContain("take it with POST /v1/numbers instead");
    // The operator's decision (its admin API writes the same row).
    await sql`update inbound.sender_ids set status = 'approved', decided_at = now()
      where account_id = ${accountId} and sender = 'MyShop'`;
    const again = await visitor.post("/sender-ids", { sender: "MyShop" });
    expect(again.text).toContain("MyShop is approved already.");
    const intruder = await signUp("sender-intruder@example.com");
    await intruder.visitor.get("/numbers");
    expect((await intruder.visitor.post("/sender-ids/MyShop/withdraw", {})).status).toBe(404);
    const withdrawn = await visitor.post("/sender-ids/MyShop/withdraw", {});
    expect(withdrawn.status).toBe(200);
    expect(rowsOf(withdrawn.text, "sender-id")).toEqual([]);
  });

  it("when a form is posted without its CSRF token, nothing is taken", async () => {
    const { visitor } = await signUp("csrf-numbers@example.com");
    await visitor.get("/numbers");
    const refused = await visitor.post("/numbers", { country: "EE" }, { csrf: false });
    expect(refused.status).toBe(403);
    const optOut = await visitor.post("/opt-outs", { number: "+37256789045" }, { csrf: false });
    expect(optOut.status).toBe(403);
    expect(rowsOf((await visitor.get("/numbers")).text, "number")).toEqual([]);
  });
});
