import { MESSAGE_STATUSES } from "@smsgw/contracts";
import { type ServiceProcess, startServiceProcess, waitFor } from "@smsgw/testkit";
import { parse } from "csv-parse/sync";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, startHarness, type TestAccount } from "../testing/harness.ts";

/**
 * `GET /v1/messages` and `GET /v1/messages/export.csv` over real HTTP, on projection rows
 * in the event store's own tables (its migrations run by the real event-store process),
 * written as its fold would have written them.
 */

let h: Harness;
let eventStore: ServiceProcess;
let sql: postgres.Sql;
let other: TestAccount;

const COUNT = 2_500;
const BASE = Date.UTC(2026, 10, 1, 12, 0, 0);
const DESTINATIONS = ["+37256789045", "+37256789046", "+37256789047", "+37256789048"];
const SENDERS = ["MyApp", "Shop", 'Sh,op "Q"'];
/** A raw code as an older row may hold it: the API shows its documented form (api.md section 7). */
const RAW_ERROR = 'carrier said "no", twice';

interface Seeded {
  messageId: string;
  status: string;
  to: string;
  from: string;
  createdAt: Date;
}

/** Ids the pattern accepts: msg_ and 26 digits (valid Crockford base32). */
const idOf = (prefix: string, n: number) =>
  `msg_${prefix}${String(n).padStart(26 - prefix.length, "0")}`;

async function seed(accountId: string, rows: Seeded[]): Promise<void> {
  const values = rows.map((r) => ({
    message_id: r.messageId,
    account_id: accountId,
    accepted: true,
    to_number: r.to,
    from_number: r.from,
    parts: 1,
    cost: 420,
    currency: "EUR",
    created_at: r.createdAt,
    status: r.status,
    error_code: r.status === "undelivered" ? RAW_ERROR : null,
    queued_at: r.createdAt,
    updated_at: r.createdAt,
  }));
  for (let i = 0; i < values.length; i += 1_000) {
    await sql`insert into event_store.messages ${sql(values.slice(i, i + 1_000))}`;
  }
}

/** A search cursor as ours are made (base64url of "<time>|<messageId>"), with the time given. */
const forgedCursor = (time: string) => Buffer.from(`${time}|${idOf("1", 1)}`).toString("base64url");

/** Three messages to a second, so the cursor has ties in created_at to break by id. */
const mine: Seeded[] = Array.from({ length: COUNT }, (_, i) => ({
  messageId: idOf("1", i),
  status: MESSAGE_STATUSES[i % MESSAGE_STATUSES.length] ?? "queued",
  to: DESTINATIONS[i % DESTINATIONS.length] ?? "",
  // Not in step with the statuses (six) or destinations (four): every combination occurs.
  from: SENDERS[Math.floor(i / 7) % SENDERS.length] ?? "",
  createdAt: new Date(BASE + Math.floor(i / 3) * 1_000),
}));

const newestFirst = (rows: Seeded[]) =>
  [...rows]
    .sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.messageId < b.messageId ? 1 : -1),
    )
    .map((r) => r.messageId);

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
  sql = postgres(h.infra.database.url, { max: 2, onnotice: () => undefined });
  other = await h.putAccount();
  await seed(h.account.accountId, mine);
  // The other account: the same destinations and senders, newer than all of ours.
  await seed(
    other.accountId,
    Array.from({ length: 30 }, (_, i) => ({
      messageId: idOf("2", i),
      status: "delivered",
      to: DESTINATIONS[0] ?? "",
      from: "MyApp",
      createdAt: new Date(BASE + 10_000_000 + i),
    })),
  );
});
afterAll(async () => {
  await sql?.end();
  await eventStore?.stop();
  await h?.stop();
});

const basic = (a: TestAccount) => ({
  authorization: `Basic ${Buffer.from(`${a.hash}:${a.token}`).toString("base64")}`,
});
const get = (path: string, account: TestAccount = h.account) =>
  call(`${h.base}${path}`, { headers: basic(account) });
const ids = (body: Record<string, unknown>) =>
  (body.messages as Array<{ messageId: string }>).map((m) => m.messageId);

/** Every page of a search, following nextCursor; `between` runs after each page. */
async function allPages(query: string, between?: (page: number) => Promise<void>) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const answer = await get(`/v1/messages?${query}${suffix}`);
    expect(answer.httpStatus, answer.text).toBe(200);
    pages.push(ids(answer.body));
    cursor = answer.body.nextCursor as string | null;
    await between?.(pages.length);
  } while (cursor && pages.length < 100);
  return pages;
}

describe("GET /v1/messages", () => {
  it("when 2,500 messages are paged 1,000 at a time while new ones arrive, each comes once, newest first", async () => {
    let arrived = 0;
    const pages = await allPages("limit=1000", async (page) => {
      // Newer than every page handed out: they belong before the cursor, never after it.
      const fresh = Array.from({ length: 5 }, (_, i) => ({
        messageId: idOf("3", arrived + i),
        status: "queued",
        to: DESTINATIONS[0] ?? "",
        from: "MyApp",
        createdAt: new Date(BASE + 20_000_000 + page),
      }));
      arrived += fresh.length;
      await seed(h.account.accountId, fresh);
    });
    expect(pages.map((p) => p.length)).toEqual([1_000, 1_000, 500]);
    expect(pages.flat()).toEqual(newestFirst(mine));
    await sql`delete from event_store.messages where message_id like 'msg_3%'`;
  });

  it("when no limit is given, a page is 100 messages, and the message resource is the one GET /v1/messages/{id} answers", async () => {
    const page = await get(`/v1/messages?until=${new Date(BASE + 20_000_000).toISOString()}`);
    expect(ids(page.body)).toEqual(newestFirst(mine).slice(0, 100));
    const [first] = page.body.messages as Array<Record<string, unknown>>;
    const single = await get(`/v1/messages/${String(first?.messageId)}`);
    expect(single.httpStatus).toBe(200);
    expect(first).toEqual(single.body);
  });

  it("when a filter is given, each narrows the result to the messages it matches", async () => {
    const cases: Array<[string, (r: Seeded) => boolean]> = [
      ["status=failed", (r) => r.status === "failed"],
      [`to=${encodeURIComponent("+37256789046")}`, (r) => r.to === "+37256789046"],
      [`from=${encodeURIComponent('Sh,op "Q"')}`, (r) => r.from === 'Sh,op "Q"'],
      [
        `since=${new Date(BASE + 100_000).toISOString()}&until=${new Date(BASE + 200_000).toISOString()}`,
        (r) => r.createdAt.getTime() >= BASE + 100_000 && r.createdAt.getTime() < BASE + 200_000,
      ],
      [
        `status=delivered&to=${encodeURIComponent("+37256789045")}&from=MyApp&until=2026-11-01T12:10:00%2B00:00`,
        (r) =>
          r.status === "delivered" &&
          r.to === "+37256789045" &&
          r.from === "MyApp" &&
          r.createdAt.getTime() < BASE + 600_000,
      ],
    ];
    for (const [query, matches] of cases) {
      const expected = newestFirst(mine.filter(matches));
      expect(expected.length, query).toBeGreaterThan(0);
      expect(expected.length, query).toBeLessThan(COUNT);
      expect((await allPages(`${query}&limit=400`)).flat(), query).toEqual(expected);
    }
  });

  it("when another account searches, it sees its own messages and never the caller's", async () => {
    const theirs = (await allPages("limit=1000")).flat();
    expect(theirs).toEqual(newestFirst(mine));
    const answer = await get("/v1/messages?limit=1000&from=MyApp", other);
    expect(ids(answer.body)).toEqual(Array.from({ length: 30 }, (_, i) => idOf("2", 29 - i)));
    const csv = await call(`${h.base}/v1/messages/export.csv`, { headers: basic(other) });
    expect(csv.text.trim().split("\r\n")).toHaveLength(31);
  });

  it("when a filter, the limit or the cursor is not valid, it answers 400 invalid_params naming it", async () => {
    const bad: Array<[string, string]> = [
      ["status=sending", "status"],
      ["to=37256789045", "to"],
      ["to=+37256789045", "to"], // a + not written as %2B arrives as a space
      ["since=yesterday", "since"],
      ["until=2026-13-01", "until"],
      // Valid ISO 8601, but outside what Postgres's timestamps hold once in UTC.
      ["since=0000-01-01", "since"],
      [`until=${encodeURIComponent("9999-12-31T23:00:00-12:00")}`, "until"],
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=ten", "limit"],
      ["cursor=not-ours", "cursor"],
      [`cursor=${"A".repeat(300)}`, "cursor"],
      // A cursor of ours edited: its shape holds, its time is no instant (Postgres refuses it).
      [`cursor=${forgedCursor("2026-13-45T99:99:99.000Z")}`, "cursor"],
      [`cursor=${forgedCursor("2026-02-31T00:00:00.000000Z")}`, "cursor"],
      [`cursor=${forgedCursor("0000-01-01T00:00:00.000Z")}`, "cursor"],
      ["status=failed&status=sent", "status"],
      [`from=${"x".repeat(21)}`, "from"],
      // No stored sender holds a NUL, and Postgres refuses one in a query's text.
      ["from=My%00App", "from"],
      ["stauts=failed", "stauts"],
    ];
    for (const [query, field] of bad) {
      for (const path of ["/v1/messages", "/v1/messages/export.csv"]) {
        if (path.endsWith(".csv") && /cursor|limit/.test(query)) continue;
        const answer = await get(`${path}?${query}`);
        expect(answer.httpStatus, `${path}?${query}`).toBe(400);
        expect(answer.body.status).toBe("invalid_params");
        expect(String(answer.body.message), query).toContain(field);
      }
    }
    // The export takes no page: its paging fields are unknown there.
    expect((await get("/v1/messages/export.csv?limit=10")).httpStatus).toBe(400);
  });

  it("when the credentials are missing, it answers 401 and no messages", async () => {
    for (const path of ["/v1/messages", "/v1/messages/export.csv"]) {
      const answer = await call(`${h.base}${path}`);
      expect(answer.httpStatus).toBe(401);
      expect(answer.body.status).toBe("auth_failed");
    }
  });
});

describe("a message sent through the API", () => {
  it("when the event store has folded it, the search and the export find it by its sender", async () => {
    const sender = await h.putAccount();
    const sent = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: { ...basic(sender), "content-type": "application/json" },
      body: JSON.stringify({ to: "+37256789045", from: "Findable", text: "find me" }),
    });
    expect(sent.httpStatus, sent.text).toBe(202);
    const found = await waitFor(async () => {
      const page = await get("/v1/messages?from=Findable", sender);
      return ids(page.body).length > 0 ? page : undefined;
    });
    expect(found.body.messages).toEqual([
      expect.objectContaining({ messageId: sent.body.messageId, status: "queued", parts: 1 }),
    ]);
    const csv = await get("/v1/messages/export.csv?from=Findable", sender);
    expect(csv.text).toContain(
      `${String(sent.body.messageId)},queued,+37256789045,Findable,1,0.042,EUR,`,
    );
  });
});

describe("GET /v1/messages/export.csv", () => {
  it("when exported, every matching message is a CSV record, newest first, that parses back with its commas and quotes", async () => {
    const answer = await fetch(`${h.base}/v1/messages/export.csv?until=2026-11-02`, {
      headers: basic(h.account),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toMatch(
      /^attachment; filename=messages-acc_[0-9a-f]+-\d{4}-\d\d-\d\d-\d{6}\.csv$/,
    );
    const text = await answer.text();
    expect(text.slice(0, text.indexOf("\r\n"))).toBe(
      "messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode",
    );
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.messageId)).toEqual(newestFirst(mine));
    const awkward = rows.find((r) => r.from === 'Sh,op "Q"' && r.status === "undelivered");
    expect(awkward).toMatchObject({
      to: expect.stringMatching(/^\+372/),
      parts: "1",
      cost: "0.042",
      currency: "EUR",
      errorCode: "carrier_error",
    });
    expect(rows.find((r) => r.status === "delivered")?.errorCode).toBe("");
  });

  it("when filtered, the export holds exactly what the search pages hold", async () => {
    const query = `status=undelivered&from=MyApp&since=2026-11-01T12:05:00Z`;
    const pages = (await allPages(query)).flat();
    const csv = await get(`/v1/messages/export.csv?${query}`);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(pages.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.messageId)).toEqual(pages);
  });

  it("when the path is export.csv or the bare collection, it is not taken for a message id", async () => {
    expect(
      (await get("/v1/messages/export.csv?status=failed")).headers.get("content-type"),
    ).toMatch(/^text\/csv/);
    expect((await get("/v1/messages/msg_nope")).httpStatus).toBe(404);
    const head = await call(`${h.base}/v1/messages`, {
      method: "DELETE",
      headers: basic(h.account),
    });
    expect(head.httpStatus).toBe(405);
    expect(head.headers.get("allow")).toBe("GET, POST");
  });
});
