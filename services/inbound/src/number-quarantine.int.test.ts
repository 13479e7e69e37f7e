import type { AuditBy, InboundApiRequest } from "@smsgw/contracts";
import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore } from "./db/numbers-store.ts";
import { type ApiDeps, answerApi } from "./handlers/api.ts";
import { apiDepsOf } from "./testing/api-deps.ts";

// A released number rests before another account may take it: replies and STOPs meant for
// the account that held it must not reach a stranger. The releasing account may take it back.
let infra: TestInfra;
let database: Database<unknown>;
let deps: ApiDeps;
let clock = new Date("2026-12-07T08:00:00.000Z");
const DAY = 86_400_000;
const BY: AuditBy = { actor: "api:token", ip: null };
const REAL = "+37250000201";
const SIMULATED = "+37250000202";

beforeAll(async () => {
  infra = await createTestInfra();
  const config = loadInboundConfig({ ...infra.env, NUMBER_QUARANTINE_DAYS: "30" });
  database = await openServiceDatabase(config, INBOUND_SCHEMA, migrations);
  const numbers = createNumberStore(database, {
    quarantineMs: config.NUMBER_QUARANTINE_DAYS * DAY,
  });
  await numbers.put({ number: REAL, carrierId: "sim-a", country: "EE", simulator: false });
  await numbers.put({ number: SIMULATED, carrierId: "sim-a", country: "EE", simulator: true });
  deps = apiDepsOf(database, numbers, () => clock);
});

afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

const ask = (request: InboundApiRequest) => answerApi(deps, request);
const take = (accountId: string, number: string, test = false) =>
  ask({ op: "numbers.take", accountId, by: BY, test, number });
const release = (accountId: string, number: string) =>
  ask({ op: "numbers.release", accountId, by: BY, number });

describe("a released number's rest", () => {
  it("when an account releases a number, another may not take it for the quarantine, by number or by country; the same account may take it back", async () => {
    expect((await take("acc_first", REAL)).httpStatus).toBe(201);
    expect((await release("acc_first", REAL)).httpStatus).toBe(204);

    clock = new Date(clock.getTime() + 29 * DAY);
    const byNumber = await take("acc_second", REAL);
    expect(byNumber).toMatchObject({
      httpStatus: 422,
      body: {
        status: "no_number_available",
        message: expect.stringContaining("rests until 2027-01-06T08:00:00.000Z"),
      },
    });
    const byCountry = await ask({
      op: "numbers.take",
      accountId: "acc_second",
      by: BY,
      test: false,
      country: "EE",
    });
    expect(byCountry.httpStatus).toBe(201);
    expect(byCountry.body).toMatchObject({ number: SIMULATED });
    expect((await release("acc_second", SIMULATED)).httpStatus).toBe(204);

    expect((await take("acc_first", REAL)).httpStatus).toBe(201);
    expect((await release("acc_first", REAL)).httpStatus).toBe(204);
  });

  it("when the quarantine has passed, any account may take the number, and its rest ends with the take", async () => {
    clock = new Date(clock.getTime() + 30 * DAY + 1);
    expect((await take("acc_second", REAL)).httpStatus).toBe(201);
    expect((await release("acc_second", REAL)).httpStatus).toBe(204);
    // Released again by acc_second: now acc_first is the stranger.
    expect((await take("acc_first", REAL)).httpStatus).toBe(422);
  });

  it("when a simulator number is released, another account may take it at once (nobody is behind it)", async () => {
    expect((await take("acc_third", SIMULATED, true)).httpStatus).toBe(201);
    expect((await release("acc_third", SIMULATED)).httpStatus).toBe(204);
    expect((await take("acc_fourth", SIMULATED, true)).httpStatus).toBe(201);
  });
});
