import type { AuditBy, InboundApiRequest } from "@smsgw/contracts";
import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";
import { listAudit } from "./db/audit.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore } from "./db/numbers-store.ts";
import { type ApiDeps, answerApi } from "./handlers/api.ts";
import { apiDepsOf } from "./testing/api-deps.ts";

// Issue 22: every change of an account's numbers and sender IDs makes exactly one audit entry,
// in the change's own statement, with who asked; a change that matched nothing makes none.
let infra: TestInfra;
let database: Database<unknown>;
let deps: ApiDeps;
const API: AuditBy = { actor: "api:key_0000000000000000000a", ip: "198.51.100.4" };
const OPERATOR: AuditBy = { actor: "operator:bob", ip: "10.0.0.9" };

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
  const numbers = createNumberStore(database);
  for (const n of ["+37250000101", "+37250000102"]) {
    await numbers.put({ number: n, carrierId: "sim-a", country: "EE", simulator: true });
  }
  deps = apiDepsOf(database, numbers);
});

afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

const ask = (request: InboundApiRequest) => answerApi(deps, request);
const trail = async (accountId: string) =>
  (await listAudit(database.sql, accountId, 100))
    .reverse()
    .map((e) => [e.action, e.actor, e.ip, e.target, e.details]);

describe("the audit log of numbers and sender IDs", () => {
  it("when a number is taken, its inbound URL set and cleared, and released, each makes one entry; a release of a number not held makes none", async () => {
    const accountId = "acc_audit_numbers";
    const by = API;
    const taken = await ask({ op: "numbers.take", accountId, by, test: true, country: "EE" });
    expect(taken.httpStatus).toBe(201);
    const number = (taken.body as { number: string }).number;
    const url = "https://hooks.example.com/in?token=s3cr3t";
    await ask({ op: "numbers.update", accountId, by, number, inboundUrl: url });
    await ask({ op: "numbers.update", accountId, by, number, inboundUrl: null });
    expect((await ask({ op: "numbers.release", accountId, by, number })).httpStatus).toBe(204);
    expect((await ask({ op: "numbers.release", accountId, by, number })).httpStatus).toBe(404);
    const entries = await trail(accountId);
    expect(entries).toEqual([
      ["number.taken", API.actor, API.ip, number, {}],
      ["number.inbound_url_set", API.actor, API.ip, number, { host: "hooks.example.com" }],
      ["number.inbound_url_set", API.actor, API.ip, number, { host: null }],
      ["number.released", API.actor, API.ip, number, {}],
    ]);
    expect(JSON.stringify(entries)).not.toContain("s3cr3t");
  });

  it("when no number is free, the refused take makes no entry", async () => {
    const accountId = "acc_audit_none";
    const refused = await ask({
      op: "numbers.take",
      accountId,
      by: API,
      test: true,
      country: "LV",
    });
    expect(refused.httpStatus).toBe(422);
    expect(await trail(accountId)).toEqual([]);
  });

  it("when a sender ID is asked for (twice), decided by the operator and withdrawn, each change makes one entry", async () => {
    const accountId = "acc_audit_senders";
    const senders = deps.senderIds;
    const by = { actor: "console:usr_7", ip: "192.0.2.70" };
    expect((await ask({ op: "senders.request", accountId, by, sender: "MyShop" })).httpStatus).toBe(
      201,
    );
    expect((await ask({ op: "senders.request", accountId, by, sender: "MyShop" })).httpStatus).toBe(
      200,
    );
    await ask({ op: "senders.request", accountId, by, sender: "Other" });
    await senders.decide(accountId, "MyShop", "approved", new Date(), OPERATOR);
    await senders.decide(accountId, "Other", "rejected", new Date(), OPERATOR);
    await senders.decide(accountId, "Nobody", "approved", new Date(), OPERATOR);
    await ask({ op: "senders.withdraw", accountId, by, sender: "MyShop" });
    await ask({ op: "senders.withdraw", accountId, by, sender: "MyShop" });
    expect(await trail(accountId)).toEqual([
      ["sender_id.requested", by.actor, by.ip, "MyShop", {}],
      ["sender_id.requested", by.actor, by.ip, "Other", {}],
      ["sender_id.approved", OPERATOR.actor, OPERATOR.ip, "MyShop", {}],
      ["sender_id.rejected", OPERATOR.actor, OPERATOR.ip, "Other", {}],
      ["sender_id.withdrawn", by.actor, by.ip, "MyShop", {}],
    ]);
  });

  it("when the account lists its audit, it gets its own entries only, newest first", async () => {
    const listed = await ask({ op: "audit.list", accountId: "acc_audit_senders", limit: 2 });
    expect(listed.httpStatus).toBe(200);
    const { entries } = listed.body as { entries: Array<{ action: string; target: string }> };
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ["sender_id.withdrawn", "MyShop"],
      ["sender_id.rejected", "Other"],
    ]);
  });

  it("when someone tries to change or delete an entry, the database refuses", async () => {
    await expect(database.sql`update audit_log set actor = 'x'`).rejects.toThrow(/append-only/);
    await expect(database.sql`delete from audit_log`).rejects.toThrow(/append-only/);
  });
});
