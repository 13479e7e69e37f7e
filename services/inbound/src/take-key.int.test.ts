import type { AuditBy, InboundApiRequest } from "@smsgw/contracts";
import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore } from "./db/numbers-store.ts";
import { type ApiDeps, answerApi } from "./handlers/api.ts";
import { apiDepsOf } from "./testing/api-deps.ts";

// A take retried under its Idempotency-Key after its first answer was lost between this
// service and ingress (ingress heard nothing, released its key, the client retried): the
// retry gets the number the first took, never a second one, however the two meet.
let infra: TestInfra;
let database: Database<unknown>;
let deps: ApiDeps;
const BY: AuditBy = { actor: "api:token", ip: null };
const NUMBERS = ["+37250000301", "+37250000302", "+37250000303", "+37250000304"];

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
  const numbers = createNumberStore(database);
  for (const number of NUMBERS) {
    await numbers.put({ number, carrierId: "sim-a", country: "EE", simulator: true });
  }
  deps = apiDepsOf(database, numbers);
});

afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

const take = (accountId: string, requestKey?: string) =>
  answerApi(deps, {
    op: "numbers.take",
    accountId,
    by: BY,
    test: true,
    country: "EE",
    ...(requestKey === undefined ? {} : { requestKey }),
  } as InboundApiRequest);
const held = async (accountId: string) =>
  (
    (await answerApi(deps, { op: "numbers.list", accountId, by: BY })).body as {
      numbers: unknown[];
    }
  ).numbers.length;

describe("a take under a request key", () => {
  it("when the same key asks again, one after the other or at once, the account gets the first number, not a second", async () => {
    const first = await take("acc_keyed", "k-1");
    expect(first.httpStatus).toBe(201);
    expect(await take("acc_keyed", "k-1")).toEqual(first);
    const together = await Promise.all([1, 2, 3].map(() => take("acc_keyed", "k-2")));
    expect(together.map((a) => a.httpStatus)).toEqual([201, 201, 201]);
    expect(new Set(together.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await held("acc_keyed")).toBe(2);
    // Another account's key of the same name is its own.
    expect((await take("acc_other", "k-1")).httpStatus).toBe(201);
    expect(await held("acc_other")).toBe(1);
  });

  it("when the number is released, a later take under its key takes a number again", async () => {
    const { number } = (await take("acc_released", "k-3")).body as { number: string };
    const released = await answerApi(deps, {
      op: "numbers.release",
      accountId: "acc_released",
      by: BY,
      number,
    });
    expect(released.httpStatus).toBe(204);
    expect((await take("acc_released", "k-3")).httpStatus).toBe(201);
    expect(await held("acc_released")).toBe(1);
  });
});
