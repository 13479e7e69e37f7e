import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand, run } from "./cli.ts";
import { loadInboundConfig } from "./config.ts";
import { listAudit } from "./db/audit.ts";
import { createMessageStore } from "./db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore } from "./db/numbers-store.ts";
import { createSenderIdStore } from "./db/sender-ids-store.ts";

let infra: TestInfra;
let database: Database<unknown>;

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
});

afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

const cli = (...argv: string[]) => {
  const command = parseCommand(argv);
  if (command.kind === "help") throw new Error("help");
  return run(
    command,
    createNumberStore(database),
    createMessageStore(database),
    createSenderIdStore(database),
    (accountId, limit) => listAudit(database.sql, accountId, limit),
  );
};

describe("bin/gw numbers", () => {
  it("when the operator adds simulator numbers, they are listed free with their country and carrier", async () => {
    const added = await cli(
      "numbers",
      "add",
      "+37250000001",
      "+37250000002",
      "carrier=sim-a",
      "simulator=true",
    );
    expect(added.exitCode ?? 0).toBe(0);
    const listed = await cli("numbers", "list", "--json");
    expect(listed.json).toEqual({
      numbers: [
        expect.objectContaining({
          number: "+37250000001",
          country: "EE",
          carrierId: "sim-a",
          simulator: true,
          accountId: null,
        }),
        expect.objectContaining({ number: "+37250000002", accountId: null }),
      ],
    });
  });

  it("when a number is malformed, nothing is added and the CLI says which", async () => {
    const refused = await cli("numbers", "add", "+37250000003", "not-a-number", "carrier=sim-a");
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toMatch(/^number: /);
    const numbers = (await createNumberStore(database).inventory()).map((n) => n.number);
    expect(numbers).not.toContain("+37250000003");
  });

  it("when an account holds a number and the operator changes its carrier, the account keeps it", async () => {
    const store = createNumberStore(database);
    await store.take("acc_1", { number: "+37250000002", test: true }, new Date(), {
      actor: "api:token",
      ip: null,
    });
    await cli("numbers", "add", "+37250000002", "carrier=sim-b", "simulator=true");
    expect(await store.find("+37250000002")).toMatchObject({
      carrierId: "sim-b",
      accountId: "acc_1",
    });
  });

  it("when a number is removed, it is gone; removing it again fails", async () => {
    expect((await cli("numbers", "remove", "+37250000001")).exitCode ?? 0).toBe(0);
    expect((await cli("numbers", "remove", "+37250000001")).exitCode).toBe(1);
  });

  it("when the command line is wrong, it is a usage error", () => {
    expect(() => parseCommand(["numbers", "add", "+37250000001"])).toThrow(/carrier=/);
    expect(() => parseCommand(["numbers", "unowned", "0"])).toThrow(/limit/);
  });
});

describe("bin/gw sender-ids", () => {
  it("when an account asked for a sender ID, it is pending; approved, it leaves the list and is the bucket's", async () => {
    const store = createSenderIdStore(database);
    await store.request("acc_1", "My Shop", new Date("2026-12-06T05:00:00Z"), {
      actor: "api:token",
      ip: null,
    });
    const pending = await cli("sender-ids", "pending");
    expect(pending.text).toBe('2026-12-06T05:00:00.000Z acc_1 "My Shop"');
    expect((await cli("sender-ids", "approve", "acc_1", "My Shop")).exitCode ?? 0).toBe(0);
    expect((await cli("sender-ids", "pending")).text).toBe("(none waiting)");
    expect(await store.approved()).toEqual([
      expect.objectContaining({ accountId: "acc_1", sender: "My Shop" }),
    ]);
    expect((await cli("sender-ids", "reject", "acc_2", "My Shop")).exitCode).toBe(1);
    expect(() => parseCommand(["sender-ids", "approve", "acc_1"])).toThrow(/sender ID/);
    // The operator reads the account's changes: the request by the API, the approval by the CLI.
    const audit = await cli("numbers", "audit", "acc_1", "--json");
    const entries = (audit.json as { entries: Array<{ action: string; actor: string }> }).entries;
    expect(entries.filter((e) => e.action.startsWith("sender_id.")).map((e) => e.action)).toEqual([
      "sender_id.approved",
      "sender_id.requested",
    ]);
    expect(entries[0]?.actor).toMatch(/^cli:/);
    expect((await cli("numbers", "audit", "acc_nobody")).text).toBe("(no changes)");
    expect(() => parseCommand(["numbers", "audit"])).toThrow(/which account/);
  });
});
