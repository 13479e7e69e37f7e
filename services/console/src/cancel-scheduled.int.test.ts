import { type EventOf, eventIdFor, newMessageId } from "@smsgw/contracts";
import {
  BaseEnv,
  createLogger,
  loadConfig,
  type Messaging,
  openMessaging,
} from "@smsgw/service-kit";
import {
  createTestInfra,
  type ServiceProcess,
  startServiceProcess,
  type TestInfra,
  type Visitor,
  waitFor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { CANCEL_NOTICES } from "./domain/cancel.ts";
import { type StartedConsole, startConsole } from "./service.ts";
import { member, owner } from "./testing/team.ts";

// "Cancel scheduled message" on a message's page (ADR 0030) over HTTP, with the event store,
// pricing and routing as their own processes on real Postgres and NATS: a message accepted
// with a sendAt reaches the event store's projection (which the page reads) and routing's
// table (which the cancel asks), as it does from any door.
const log = createLogger("console-test", process.env.TEST_LOG_LEVEL ?? "silent");
const IN_AN_HOUR = () => new Date(Date.now() + 3_600_000);
let infra: TestInfra;
let eventStore: ServiceProcess;
let pricing: ServiceProcess;
let routing: ServiceProcess;
let consoleService: StartedConsole;
/** The doors' side, as the operator: publishes accepted events. */
let doors: Messaging;
let sql: postgres.Sql;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra(
    { HTTP_PORT: "0", HEALTH_PORT: "0", SIGNUPS_PER_IP_HOUR: "50" },
    { natsUser: "console" },
  );
  // The event store first: it owns the event stream the others read.
  eventStore = await startServiceProcess("event-store", infra.envOf("event-store"));
  pricing = await startServiceProcess("pricing", infra.envOf("pricing"));
  routing = await startServiceProcess("routing", {
    ...infra.envOf("routing"),
    ROUTE_SCHEDULE_POLL_MS: "200",
  });
  doors = await openMessaging(loadConfig(BaseEnv, infra.envOf("operator")), "console-test", log);
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  consoleService = await startConsole(loadConsoleConfig(infra.env), log);
  base = `http://127.0.0.1:${consoleService.port}`;
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await doors?.close();
  await consoleService?.stop();
  await routing?.stop();
  await pricing?.stop();
  await eventStore?.stop();
  await infra?.cleanup();
});

/** A message of the account accepted with this sendAt, as a door publishes it. */
async function accept(accountId: string, sendAt: Date): Promise<string> {
  const messageId = newMessageId();
  const event: EventOf<"MessageAccepted"> = {
    eventId: eventIdFor(messageId, "accepted"),
    type: "MessageAccepted",
    version: 1,
    messageId,
    accountId,
    occurredAt: new Date().toISOString(),
    data: {
      to: "+37256789045",
      from: "MyApp",
      text: "See you tomorrow",
      encoding: "gsm7",
      parts: 1,
      country: "EE",
      cost: 420,
      currency: "EUR",
      callbackUrl: null,
      reference: null,
      sendAt: sendAt.toISOString(),
      test: true,
    },
  };
  await doors.publisher.publish(event);
  return messageId;
}

/** Accepted, on its page (the event store folded it) and held by routing. */
async function scheduled(visitor: Visitor, accountId: string, sendAt = IN_AN_HOUR()) {
  const messageId = await accept(accountId, sendAt);
  await waitFor(async () => (await visitor.get(`/messages/${messageId}`)).status === 200, {
    what: "the message's page",
  });
  await waitFor(async () => (await routingRow(messageId)) !== undefined, {
    what: "routing's row",
  });
  return messageId;
}

/**
 * A projection row only (the event store has the message, routing not: as for a moment after
 * its acceptance), queued with this sendAt or none.
 */
async function projected(accountId: string, sendAt: Date | null): Promise<string> {
  const messageId = newMessageId();
  const now = new Date();
  await sql`insert into event_store.messages ${sql({
    message_id: messageId,
    account_id: accountId,
    accepted: true,
    to_number: "+37256789045",
    from_number: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    created_at: now,
    status: "queued",
    queued_at: now,
    updated_at: now,
    send_at: sendAt,
  })}`;
  return messageId;
}

async function routingRow(messageId: string) {
  const [row] = await sql<Array<{ canceled: boolean; routed: boolean }>>`
    select cancel_requested_at is not null as canceled, routed_at is not null as routed
    from routing.scheduled where message_id = ${messageId}`;
  return row;
}

const BUTTON = "Cancel scheduled message";
const statusOf = (page: string) => /data-testid="status">([a-z]+)</.exec(page)?.[1];

/** Posts the cancel and follows the redirect: the page the user then sees. */
async function cancel(visitor: Visitor, messageId: string) {
  await visitor.get(`/messages/${messageId}`);
  const answer = await visitor.post(`/messages/${messageId}/cancel`, {});
  expect(answer.status).toBe(303);
  const location = answer.res.headers.get("location") ?? "";
  expect(location.startsWith(`/messages/${messageId}?cancel=`)).toBe(true);
  return visitor.get(location);
}

describe("canceling a scheduled message from its page", () => {
  let account: Awaited<ReturnType<typeof owner>>;

  beforeAll(async () => {
    account = await owner(base, sql, "cancel-owner@example.com");
  });

  it("when the owner cancels a message waiting for its sendAt, routing cancels it and the page shows it failed canceled, without the button", async () => {
    const { visitor, accountId } = account;
    const messageId = await scheduled(visitor, accountId);
    const page = await visitor.get(`/messages/${messageId}`);
    expect(page.text).toContain('data-testid="send-at"');
    expect(page.text).toContain(BUTTON);
    expect(page.text).toContain(`action="/messages/${messageId}/cancel"`);

    const after = await cancel(visitor, messageId);
    expect(after.status).toBe(200);
    expect(after.text).toContain(CANCEL_NOTICES.canceled);
    expect(after.text).not.toContain(BUTTON);
    expect((await routingRow(messageId))?.canceled).toBe(true);
    // Routing publishes its failure; the event store folds it.
    const folded = await waitFor(
      async () => {
        const shown = await visitor.get(`/messages/${messageId}`);
        return statusOf(shown.text) === "failed" ? shown.text : undefined;
      },
      { what: "the message failed" },
    );
    expect(folded).toContain("(error canceled)");
    expect(folded).not.toContain(BUTTON);
    // Asked again: the same answer.
    expect((await cancel(visitor, messageId)).text).toContain(CANCEL_NOTICES.canceled);
  });

  it("when a viewer opens a scheduled message it sees no button, and its post is refused (403) and cancels nothing", async () => {
    const { visitor, accountId } = account;
    const messageId = await scheduled(visitor, accountId);
    const viewer = (await member(base, visitor, "cancel-viewer@example.com", "viewer")).visitor;
    const page = await viewer.get(`/messages/${messageId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="send-at"');
    expect(page.text).not.toContain(BUTTON);
    const refused = await viewer.post(`/messages/${messageId}/cancel`, {});
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Your role (viewer) does not allow this.");
    expect((await routingRow(messageId))?.canceled).toBe(false);
    // A developer may.
    const developer = (await member(base, visitor, "cancel-dev@example.com", "developer")).visitor;
    expect((await developer.get(`/messages/${messageId}`)).text).toContain(BUTTON);
    expect((await cancel(developer, messageId)).text).toContain(CANCEL_NOTICES.canceled);
  });

  it("when the cancel is posted without its CSRF token, it is refused (403) and cancels nothing", async () => {
    const { visitor, accountId } = account;
    const messageId = await scheduled(visitor, accountId);
    await visitor.get(`/messages/${messageId}`);
    const refused = await visitor.post(`/messages/${messageId}/cancel`, {}, { csrf: false });
    expect(refused.status).toBe(403);
    expect((await routingRow(messageId))?.canceled).toBe(false);
  });

  it("when another account's owner posts the cancel of a message, it is not found, as its page is, and cancels nothing", async () => {
    const { visitor, accountId } = account;
    const messageId = await scheduled(visitor, accountId);
    const other = await owner(base, sql, "cancel-other@example.com");
    const page = await other.visitor.get(`/messages/${messageId}`);
    expect(page.status).toBe(404);
    const refused = await other.visitor.post(`/messages/${messageId}/cancel`, {});
    expect(refused.status).toBe(404);
    expect(refused.text).toContain("There is no such message in your account.");
    expect((await routingRow(messageId))?.canceled).toBe(false);
    const unknown = await other.visitor.post("/messages/not-a-message-id/cancel", {});
    expect(unknown.status).toBe(404);
  });

  it("when a message was not scheduled, or its sendAt came and routing let it go, the page has no button and the cancel says why it is not canceled", async () => {
    const { visitor, accountId } = account;
    const now = await projected(accountId, null);
    expect((await visitor.get(`/messages/${now}`)).text).not.toContain(BUTTON);
    expect((await cancel(visitor, now)).text).toContain(CANCEL_NOTICES.not_scheduled);

    const soon = await scheduled(visitor, accountId, new Date(Date.now() + 1_500));
    await waitFor(async () => (await routingRow(soon))?.routed, {
      what: "routing to take it at its sendAt",
    });
    expect((await visitor.get(`/messages/${soon}`)).text).not.toContain(BUTTON);
    const after = await cancel(visitor, soon);
    expect(after.text).toContain("Not canceled: the message is on its way");
    expect((await routingRow(soon))?.canceled).toBe(false);
  });

  it("when routing does not hold the message yet, the cancel says to try again in a moment", async () => {
    const { visitor, accountId } = account;
    const messageId = await projected(accountId, IN_AN_HOUR());
    expect((await visitor.get(`/messages/${messageId}`)).text).toContain(BUTTON);
    const after = await cancel(visitor, messageId);
    expect(after.status).toBe(200);
    expect(after.text).toContain(CANCEL_NOTICES.not_held_yet);
    expect(after.text).toContain(BUTTON);
  });

  // Last: routing stops.
  it("when routing does not answer, the cancel says it may have taken effect, never an error page", async () => {
    const { visitor, accountId } = account;
    const messageId = await projected(accountId, IN_AN_HOUR());
    await routing.stop();
    const after = await cancel(visitor, messageId);
    expect(after.status).toBe(200);
    expect(after.text).toContain(CANCEL_NOTICES.unanswered);
  });
});
