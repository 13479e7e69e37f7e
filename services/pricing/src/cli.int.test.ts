import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccountRecord, subjects } from "@smsgw/contracts";
import { connectNats, createLogger, startKvCache } from "@smsgw/service-kit";
import { verifySmppPassword } from "@smsgw/smpp-credentials";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./testing/run-cli.ts";

let infra: TestInfra;

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "pricing" });
});
afterAll(async () => {
  await infra?.cleanup();
});

function cli(...args: string[]) {
  return runCli(infra.env, args);
}

/** The account's record in the accounts bucket, once it satisfies `until`. */
async function publishedAccount(
  hash: string,
  until: (record: AccountRecord) => boolean,
): Promise<AccountRecord> {
  const log = createLogger("cli-test", "silent");
  const nats = await connectNats(infra.env.NATS_URL ?? "", "cli-test", log);
  const kv = await startKvCache(nats.nc, subjects(infra.prefix).accountsBucket, AccountRecord, log);
  try {
    await waitFor(() => {
      const record = kv.get(hash);
      return record !== undefined && until(record);
    });
    return kv.get(hash) as AccountRecord;
  } finally {
    await kv.stop();
    await nats.nc.close();
  }
}

describe("the accounts CLI", () => {
  it("when an account is created with --json, it prints the credentials once and publishes the account", async () => {
    const result = await cli("accounts", "create", "--name", "acme", "--credits", "10", "--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toMatchObject({
      accountId: expect.stringMatching(/^acc_/),
      name: "acme",
      hash: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      webhookSecret: expect.stringMatching(/^whsec_/),
      currency: "EUR",
      test: true,
      balance: 10,
    });

    const sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
    const rows = await sql`
      select a.balance, a.token_sha256 <> ${created.token} as hashed, l.kind, l.amount
      from pricing.accounts a join pricing.ledger l using (account_id)
      where a.account_id = ${created.accountId}`;
    await sql.end();
    expect(rows).toEqual([{ balance: "100000", hashed: true, kind: "topup", amount: "100000" }]);

    await publishedAccount(created.hash, (record) => record.accountId === created.accountId);
  });

  it("when SMPP credentials are made, the password is shown once, only its scrypt hash is published, and a taken system_id is refused", async () => {
    const made = JSON.parse(
      (await cli("accounts", "create", "--name", "smpp-acme", "--credits", "1", "--json")).stdout,
    );
    const result = await cli("accounts", "smpp-credentials", "--name", "smpp-acme", "--json");
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown).toMatchObject({
      smppSystemId: "smpp-acme",
      smpp: { systemId: "smpp-acme", password: expect.stringMatching(/^[A-Za-z2-9]{8}$/) },
    });

    const published = (await publishedAccount(made.hash, (record) => record.smpp !== undefined))
      .smpp;
    expect(published?.systemId).toBe("smpp-acme");
    expect(published?.passwordHash).not.toContain(shown.smpp.password);
    expect(await verifySmppPassword(shown.smpp.password, published?.passwordHash ?? "")).toBe(true);

    await cli("accounts", "create", "--name", "other", "--credits", "1");
    const taken = await cli(
      "accounts",
      "smpp-credentials",
      "--name",
      "other",
      "--system-id",
      "smpp-acme",
    );
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain("belongs to another account");
  });

  it("when credit is topped up, it prints the new balance", async () => {
    const result = await cli("accounts", "top-up", "--name", "acme", "--credits", "5");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/balance 15\.0000 EUR/);
  });

  it("when demo runs twice, it creates the account once and then issues a fresh token", async () => {
    const first = JSON.parse((await cli("accounts", "demo", "--json")).stdout);
    const second = JSON.parse((await cli("accounts", "demo", "--json")).stdout);
    expect(first).toMatchObject({ created: true, name: "demo", balance: 10, test: true });
    expect(second).toMatchObject({ created: false, hash: first.hash, balance: 10 });
    expect(second.token).not.toBe(first.token);
    expect(second.webhookSecret).toBe(first.webhookSecret);
  });

  it("when the input is wrong, it exits non-zero with one clear line and no stack trace", async () => {
    const taken = await cli("accounts", "create", "--name", "acme", "--credits", "1");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('gw-pricing: an account named "acme" exists\n');

    const badAmount = await cli("accounts", "create", "--name", "x", "--credits", "1.00001");
    expect(badAmount.code).toBe(1);
    expect(badAmount.stderr).toMatch(/credits "1.00001" is not an amount/);

    const usage = await cli("accounts", "create", "--credits", "1");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs --name/);

    const unknown = await cli("accounts", "explode");
    expect(unknown.code).toBe(2);
    for (const result of [taken, badAmount, usage, unknown]) {
      expect(result.stdout).toBe("");
      expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    }
  });

  // Eleven CLI processes, each a Node start and connections: on a busy machine over 30 s.
  it("when an operator manages an account, every command answers in --json and the ledger names who and why", async () => {
    const run = async (...args: string[]) => {
      const result = await cli(...args, "--json");
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout);
    };
    await run("accounts", "create", "--name", "ops", "--credits", "5");
    expect(
      await run(
        "accounts",
        "adjust",
        "--name",
        "ops",
        "--amount=-1.25",
        "--note",
        "refund fee",
        "--actor",
        "bob",
      ),
    ).toMatchObject({ balance: 3.75 });
    expect(await run("accounts", "block", "--name", "ops", "--countries", "ee,LV")).toMatchObject({
      blockedCountries: ["EE", "LV"],
    });
    expect(await run("accounts", "unblock", "--name", "ops", "--countries", "EE")).toMatchObject({
      blockedCountries: ["LV"],
    });
    expect(
      await run(
        "accounts",
        "limits",
        "--name",
        "ops",
        "--account-rate",
        "20",
        "--account-burst",
        "40",
      ),
    ).toMatchObject({ limits: { accountRatePerSec: 20, accountBurst: 40 } });
    expect(
      await run("accounts", "callback-url", "--name", "ops", "--url", "https://ops.example/r"),
    ).toMatchObject({ defaultCallbackUrl: "https://ops.example/r" });
    expect(await run("accounts", "callback-url", "--name", "ops", "--clear")).toMatchObject({
      defaultCallbackUrl: null,
    });
    const rotated = await run("accounts", "rotate-webhook-secret", "--name", "ops");
    expect(rotated.webhookSecret).toMatch(/^whsec_/);
    expect(await run("accounts", "disable", "--name", "ops")).toMatchObject({ status: "disabled" });
    expect(await run("accounts", "enable", "--name", "ops")).toMatchObject({ status: "active" });
    const ledger = await run("accounts", "ledger", "--name", "ops");
    expect(
      ledger.map((e: { kind: string; amount: number; actor: string; note: string }) => [
        e.kind,
        e.amount,
        e.actor,
        e.note,
      ]),
    ).toEqual([
      ["adjustment", -1.25, "cli:bob", "refund fee"],
      ["topup", 5, expect.stringMatching(/^cli:/), "initial credits"],
    ]);
  }, 90_000);

  it("when a top-up with --reference is run again, it credits nothing more and says so; another amount under it is refused", async () => {
    await cli("accounts", "create", "--name", "retried", "--credits", "0");
    const topUp = (credits: string, ...more: string[]) =>
      cli("accounts", "top-up", "--name", "retried", "--credits", credits, ...more);
    const first = await topUp("5", "--reference", "inv-2026-17", "--json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      balance: 5,
      replayed: false,
      entry: { kind: "topup", amount: 5, reference: "inv-2026-17" },
    });
    const again = await topUp("5", "--reference", "inv-2026-17");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^Already done as entry \d+ at .+ \(reference inv-2026-17\); nothing moved now: account retried .*balance 5\.0000 EUR/,
    );
    const other = await topUp("6", "--reference", "inv-2026-17");
    expect(other.code).toBe(1);
    expect(other.stdout).toBe("");
    expect(other.stderr).toMatch(/reference "inv-2026-17" is already entry \d+/);
    const ledger = JSON.parse(
      (await cli("accounts", "ledger", "--name", "retried", "--json")).stdout,
    );
    expect(
      ledger.map((e: { amount: number; reference: string }) => [e.amount, e.reference]),
    ).toEqual([[5, "inv-2026-17"]]);
  }, 60_000);

  it("when a price list is loaded, a bad file is refused with line numbers and a good one replaces the list", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prices-"));
    const bad = join(dir, "bad.csv");
    await writeFile(
      bad,
      "prefix,country,price_per_part,currency\n+44,GB,0.05,EUR\n+45,DK,0.123456,EUR\n",
    );
    const refused = await cli("prices", "load", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 3: price "0.123456"/);

    const good = join(dir, "good.csv");
    await writeFile(
      good,
      "prefix,country,price_per_part,currency\n+44,GB,0.0500,EUR\n+4475,GB,0.0600,EUR\n",
    );
    const loaded = await cli("prices", "load", good, "--replace", "--json");
    expect(loaded.code).toBe(0);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ stored: 2 });
    const list = JSON.parse((await cli("prices", "list", "--json")).stdout);
    expect(list).toEqual([
      { prefix: "+44", country: "GB", pricePerPart: 0.05, currency: "EUR" },
      { prefix: "+4475", country: "GB", pricePerPart: 0.06, currency: "EUR" },
    ]);
    const override = await cli(
      "prices",
      "override",
      "--account",
      "ops",
      "--prefix",
      "+44",
      "--price",
      "0.04",
      "--json",
    );
    expect(JSON.parse(override.stdout)).toMatchObject({ prefix: "+44", pricePerPart: 0.04 });
    expect(
      JSON.parse((await cli("prices", "overrides", "--account", "ops", "--json")).stdout),
    ).toHaveLength(1);
    const audit = JSON.parse((await cli("accounts", "audit", "--name", "ops", "--json")).stdout);
    expect(audit[0]).toMatchObject({
      action: "price_override.set",
      target: "+44",
      actor: expect.stringMatching(/^cli:/),
      details: { currency: "EUR", before: null, after: 400 },
    });
    await rm(dir, { recursive: true });
  });
});
