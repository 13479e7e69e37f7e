import { connect } from "node:net";
import { type ServiceProcess, startServiceProcess } from "@smsgw/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, NUMBERS, startHarness } from "./testing/harness.ts";

/**
 * Thousands of generated malformed requests against the real HTTP server: whatever is
 * sent, the answer is a JSON 4xx (never a 5xx, never HTML), it comes back in time, and
 * nothing reaches pricing or the event stream. Every generated send is broken in at least
 * one way, so none of them may send a message; the reads (search, export, events) get
 * filters of any text and cursors of ours edited. Seeded: a failure replays exactly.
 */

const SEED = 20_261_125;
const RUNS = 2_000;

let h: Harness;
let eventStore: ServiceProcess;
beforeAll(async () => {
  h = await startHarness({
    IP_RATE_PER_SEC: "1000000",
    IP_BURST: "1000000",
    ACCOUNT_RATE_PER_SEC: "1000000",
    ACCOUNT_BURST: "1000000",
    BATCH_MAX_BODY_BYTES: "262144",
  });
  // The status and events queries read the event store's tables: they must exist.
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
});
afterAll(async () => {
  await eventStore?.stop();
  await h?.stop();
});

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const twice = fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 });
const notE164 = fc.string({ maxLength: 20 }).map((s) => `x${s}`);

type Fields = Record<string, unknown>;

/** One certain flaw in an otherwise valid set of fields. */
function corrupt(required: string[], phoneField: string, strict: boolean) {
  const flaws: fc.Arbitrary<(f: Fields) => Fields>[] = [
    fc.constantFrom(...required).map((name) => (f: Fields) => {
      const { [name]: _, ...rest } = f;
      return rest;
    }),
    // JSON can carry other types; a query string or form only strings, so there a field
    // given more than once stands for "not a single string".
    fc
      .tuple(fc.constantFrom(...required), strict ? notAString : twice)
      .map(([name, value]) => (f: Fields) => ({ ...f, [name]: value })),
    fc.constantFrom(...required).map((name) => (f: Fields) => ({ ...f, [name]: "" })),
    notE164.map((value) => (f: Fields) => ({ ...f, [phoneField]: value })),
    fc
      .integer({ min: 2_000, max: 50_000 })
      .map((n) => (f: Fields) => ({ ...f, text: "é€".repeat(n) })),
    fc
      .constantFrom(
        "ftp://x",
        "http://127.0.0.1/x",
        "http://[::1]/",
        "not a url",
        "http://169.254.169.254/",
      )
      .map((url) => (f: Fields) => ({ ...f, callbackUrl: url })),
  ];
  if (strict) {
    flaws.push(
      fc
        .string({ minLength: 1, maxLength: 10 })
        .map((k) => (f: Fields) => ({ ...f, [`zz${k}`]: 1 })),
      fc.string({ maxLength: 30 }).map((s) => (f: Fields) => ({ ...f, sendAt: `x${s}` })),
      fc.integer({ min: 8, max: 10_000 }).map((days) => (f: Fields) => ({
        ...f,
        sendAt: new Date(Date.now() + days * 86_400_000).toISOString(),
      })),
    );
  }
  return fc.oneof(...flaws);
}

interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const PATHS = [
  "/v1/messages/msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y",
  "/v1/messages/%E0%A4%A",
  "/v1/messages/x/events?after=%00&limit=-1",
  "/v1/balance?hash[]=1",
  "/v1/prices?to=%2B&to=1",
  "/v1/phone/format?number=%FF&country=ZZZ",
  "/nope",
  "//..//etc/passwd",
  "/v1",
];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/xml",
  "",
];

function request(): fc.Arbitrary<Generated> {
  const v1Fields = (): Fields => ({ to: NUMBERS.charged, from: "MyApp", text: "fuzz" });
  const compatFields = (): Fields => ({
    hash: h.account.hash,
    token: h.account.token,
    toNumber: NUMBERS.charged,
    fromNumber: "MyApp",
    text: "fuzz",
  });
  const basic = `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`;
  const auth = fc.constantFrom<Record<string, string>>(
    { authorization: basic },
    { authorization: "Basic !!!" },
    { authorization: "Bearer x" },
    {},
  );
  const v1Body = corrupt(["to", "from", "text"], "to", true).map((flaw) =>
    JSON.stringify(flaw(v1Fields())),
  );
  const compatQuery = corrupt(
    ["hash", "token", "toNumber", "fromNumber", "text"],
    "toNumber",
    false,
  ).map((flaw) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(flaw(compatFields()))) {
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
    }
    return params.toString();
  });
  const garbage = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.uint8Array({ maxLength: 300 }),
    v1Body.chain((b) => fc.integer({ min: 0, max: b.length - 1 }).map((n) => b.slice(0, n))),
    fc.integer({ min: 70_000, max: 300_000 }).map((n) => `{"text":"${"a".repeat(n)}"}`),
    fc.integer({ min: 1_000, max: 100_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  );

  const v1Send = fc.record({
    method: fc.constantFrom("POST", "POST", "POST", ...METHODS),
    path: fc.constant("/v1/messages"),
    headers: fc.tuple(auth, fc.constantFrom(...CONTENT_TYPES)).map(([a, type]) => ({
      ...a,
      ...(type ? { "content-type": type } : {}),
    })),
    body: fc.oneof(v1Body, v1Body, garbage),
  });
  const batch = fc.record({
    method: fc.constantFrom("POST", "POST", "GET"),
    path: fc.constant("/v1/messages/batch"),
    headers: auth.map((a) => ({ ...a, "content-type": "application/json" })),
    body: fc.oneof(
      fc
        .array(v1Body, { minLength: 1, maxLength: 20 })
        .map((items) => `{"messages":[${items.join(",")}]}`),
      fc
        .integer({ min: 1_001, max: 1_200 })
        .map((n) => JSON.stringify({ messages: Array(n).fill(v1Fields()) })),
      garbage,
    ),
  });
  const messageId = fc.oneof(
    fc.constant("msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y"),
    fc.string({ maxLength: 40, unit: "binary" }),
    notAString,
  );
  const cancelMany = fc.record({
    method: fc.constantFrom("POST", "POST", "GET"),
    path: fc.constant("/v1/messages/cancel"),
    headers: auth.map((a) => ({ ...a, "content-type": "application/json" })),
    body: fc.oneof(
      fc.array(messageId, { maxLength: 20 }).map((messageIds) => JSON.stringify({ messageIds })),
      fc
        .integer({ min: 1_001, max: 1_200 })
        .map((n) =>
          JSON.stringify({ messageIds: Array(n).fill("msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y") }),
        ),
      garbage,
    ),
  });
  const compat = fc.record({
    method: fc.constantFrom("GET", "POST", ...METHODS),
    path: compatQuery.map((q) => `/?${q}`),
    headers: fc
      .constantFrom(...CONTENT_TYPES)
      .map((type): Record<string, string> => (type ? { "content-type": type } : {})),
    body: fc.oneof(fc.constant(undefined), garbage),
  });
  const compatBody = fc.record({
    method: fc.constant("POST"),
    path: fc.constant("/"),
    headers: fc.constantFrom(
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "application/json" },
      { "content-type": "application/json", "content-encoding": "gzip" },
    ),
    body: compatQuery,
  });
  const elsewhere = fc.record({
    method: fc.constantFrom(...METHODS),
    path: fc.constantFrom(...PATHS),
    headers: fc.tuple(auth, fc.constantFrom(...CONTENT_TYPES)).map(([a, type]) => ({
      ...a,
      ...(type ? { "content-type": type } : {}),
    })),
    body: fc.oneof(fc.constant(undefined), garbage),
  });
  // The reads' query strings: filters of any text (NUL included), and cursors of ours edited
  // (the shape kept, the time anything four-two-two digits long: month 13, 31 February, year 0).
  const d = (digits: number) =>
    fc.integer({ min: 0, max: 10 ** digits - 1 }).map((n) => String(n).padStart(digits, "0"));
  const forgedTime = fc
    .tuple(d(4), d(2), d(2), d(2), d(2), d(2), d(3))
    .map(([y, mo, day, hh, mm, ss, ms]) => `${y}-${mo}-${day}T${hh}:${mm}:${ss}.${ms}Z`);
  const base64url = (text: string) => Buffer.from(text).toString("base64url");
  const anyText = fc.oneof(
    fc.string({ maxLength: 30, unit: "binary" }),
    fc.string({ maxLength: 5 }).map((t) => `${t}\u0000${t}`),
  );
  const readQuery = fc
    .array(
      fc.oneof(
        fc.tuple(fc.constantFrom("status", "to", "from", "since", "until", "limit"), anyText),
        forgedTime.map((t) => ["cursor", base64url(`${t}|msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y`)]),
        forgedTime.map((t) => ["after", base64url(`${t}|1|0`)]),
        fc.tuple(fc.constantFrom("cursor", "after"), anyText),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => new URLSearchParams(pairs as Array<[string, string]>).toString());
  const reads = fc.record({
    method: fc.constant("GET"),
    path: fc
      .tuple(
        fc.constantFrom(
          "/v1/messages",
          "/v1/messages/export.csv",
          "/v1/messages/msg_01JDXQ4M9Z8K3V7T2R5N6P0W1Y/events",
        ),
        readQuery,
      )
      .map(([path, q]) => `${path}?${q}`),
    headers: auth,
    body: fc.constant(undefined),
  });
  // The records differ only in how narrow their field types are; each is a Generated.
  return fc.oneof(
    v1Send,
    batch,
    cancelMany,
    compat,
    compatBody,
    elsewhere,
    reads,
  ) as unknown as fc.Arbitrary<Generated>;
}

describe("when thousands of malformed requests arrive", () => {
  it("when each is sent over real HTTP, none answers 5xx or non-JSON, none hangs, none sends a message", async () => {
    const before = await h.streamMessages();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request(), async (r) => {
        const bodyless = r.method === "GET" || r.method === "HEAD";
        const response = await fetch(`${h.base}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: bodyless ? undefined : r.body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        expect(response.status).not.toBe(202);
        if (r.method === "HEAD") return;
        expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|<html/i);
        // An export whose filters all held: CSV, its header first.
        if (response.headers.get("content-type")?.startsWith("text/csv")) {
          expect(text).toMatch(/^messageId,status,/);
          return;
        }
        const body = JSON.parse(text) as {
          status?: unknown;
          message?: unknown;
          accepted?: unknown;
          canceled?: unknown;
        };
        if (response.status >= 400) {
          expect(typeof body.status).toBe("string");
          expect(typeof body.message).toBe("string");
        } else if (r.path === "/v1/messages/batch") {
          // A well-formed batch of broken items: every item refused.
          expect(body.accepted).toBe(0);
        } else if (r.path === "/v1/messages/cancel") {
          // No message of this account is scheduled: every id not found.
          expect(body.canceled).toBe(0);
        } else {
          // A 200 at the root is a refusal; elsewhere a read (balance, status, formatter).
          expect(body.status).not.toBe("success");
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(h.authorizeRequests).toEqual([]);
    expect(await h.streamMessages()).toBe(before);
    // The generator reaches the interesting answers, not only one kind of refusal.
    for (const status of [400, 401, 404, 405]) expect(seen.get(status) ?? 0).toBeGreaterThan(10);
  }, 120_000);

  it("when bodies are cut short or lie about their length on a raw socket, the server answers or closes, and stays up", async () => {
    const { port } = h.ingress;
    const cases = [
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"to":"+3725',
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhash=\r\n",
      "GET /?text=%%% HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /v1/messages/batch HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
      "\u0000\u0001garbage\r\n\r\n",
    ];
    for (const raw of cases) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        let data = "";
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer and no close for ${JSON.stringify(raw.slice(0, 30))}`));
        }, 10_000);
        socket.on("data", (chunk) => {
          data += chunk.toString("latin1");
        });
        socket.on("close", () => {
          clearTimeout(timer);
          resolve(data);
        });
        socket.on("error", () => undefined);
        socket.end(raw);
      });
      expect(answer).not.toMatch(/^HTTP\/1\.1 5/);
    }
    const health = await fetch(`${h.health}/readyz`);
    expect(health.status).toBe(200);
    expect(h.authorizeRequests).toEqual([]);
  }, 60_000);
});
