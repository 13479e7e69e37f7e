import { laterAttemptsAmong } from "@smsgw/message-read-model";
import {
  createTestInfra,
  type ServiceProcess,
  startServiceProcess,
  type TestInfra,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The fact the failure gate reads (ADR 0009, amendment of 2026-12-07): the event store's
 * record, its real tables (the event store migrates them), read as routing reads them.
 */
let infra: TestInfra;
let eventStore: ServiceProcess | undefined;
let sql: postgres.Sql;

beforeAll(async () => {
  infra = await createTestInfra({}, { natsUser: "routing" });
  eventStore = await startServiceProcess("event-store", infra.envOf("event-store"));
  sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await eventStore?.stop();
  await infra?.cleanup();
});

async function logged(messageId: string, type: string, data: object, n: number) {
  await sql`
    insert into event_store.events (event_id, message_id, account_id, type, version, occurred_at, data)
    values (${`${messageId}:${type}:${n}`}, ${messageId}, 'acc_1', ${type}, 1, now(),
      ${JSON.stringify(data)}::text::jsonb)`;
}

async function projected(messageId: string, status: string) {
  await sql`
    insert into event_store.messages (message_id, account_id, status, queued_at, updated_at)
    values (${messageId}, 'acc_1', ${status}, now(), now())`;
}

describe("whether a message's record shows an attempt after the one decided on", () => {
  it("when a later attempt was submitted or refused, or a receipt or expiry came, or the status moved past queued, it shows; an earlier attempt, a queued or failed message, or an unknown one does not", async () => {
    await logged("msg_a", "MessageSubmitted", { carrierId: "sim-b", attempt: 2 }, 1);
    await logged("msg_b", "SubmitFailed", { carrierId: "sim-b", attempt: 2, retryable: true }, 1);
    await logged("msg_c", "SubmitFailed", { carrierId: "sim-a", attempt: 1, retryable: true }, 1);
    await logged("msg_d", "ReceiptReceived", { part: 1 }, 1);
    await logged("msg_e", "ValidityExpired", {}, 1);
    await projected("msg_f", "sent");
    await projected("msg_g", "queued");
    await projected("msg_h", "failed");
    await logged("msg_i", "MessageSubmitted", { carrierId: "sim-a", attempt: 1 }, 1);
    const asked = [
      { messageId: "msg_a", attempt: 1 },
      { messageId: "msg_b", attempt: 1 },
      { messageId: "msg_c", attempt: 1 },
      { messageId: "msg_d", attempt: 2 },
      { messageId: "msg_e", attempt: 1 },
      { messageId: "msg_f", attempt: 1 },
      { messageId: "msg_g", attempt: 1 },
      { messageId: "msg_h", attempt: 1 },
      // Attempt 0: before the first order (a redelivered accepted event).
      { messageId: "msg_i", attempt: 0 },
      { messageId: "msg_unknown", attempt: 0 },
    ];
    expect([...(await laterAttemptsAmong(sql, asked))].sort()).toEqual([
      "msg_a",
      "msg_b",
      "msg_d",
      "msg_e",
      "msg_f",
      "msg_i",
    ]);
    expect(await laterAttemptsAmong(sql, [])).toEqual(new Set());
  });
});
