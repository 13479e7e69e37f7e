import { request } from "node:http";
import { connect } from "node:net";
import { ensureDurableConsumer } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  call,
  type Harness,
  NUMBERS,
  query,
  startHarness,
  type TestAccount,
} from "../testing/harness.ts";

// Capacity is simulated: a durable on the accepted subject that nobody pulls is a routing
// that has stopped, so the oldest accepted message waits longer and longer. The bound is
// low (400 ms: the limit shrinks once a message has waited 200 ms) and the signal is read
// every 100 ms, so the test does not wait long; the limit's floor (2 sends in flight) is
// under the flood's 8 clients. Nothing here is timed.
let h: Harness;
const STALLED = "stalled-routing";

beforeAll(async () => {
  h = await startHarness({
    ADMISSION_ENABLED: "true",
    ADMISSION_MAX_DELAY_MS: "400",
    ADMISSION_POLL_MS: "100",
    ADMISSION_MIN_IN_FLIGHT: "2",
    // The per-IP and per-account limits stay out of the way: every test client is 127.0.0.1.
    IP_RATE_PER_SEC: "100000",
    IP_BURST: "100000",
    ACCOUNT_RATE_PER_SEC: "100000",
    ACCOUNT_BURST: "100000",
  });
});
afterAll(async () => {
  await h?.stop();
});

const sendUrl = (account: TestAccount) =>
  `${h.base}/?${query({
    hash: account.hash,
    token: account.token,
    toNumber: NUMBERS.charged,
    fromNumber: "MyApp",
    text: "hi",
  })}`;

const atCapacity = (a: Answer) =>
  a.httpStatus === 429 && /at capacity/.test(String(a.body.message));

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${h.health}/metrics`)).text();
  return Number(new RegExp(`^smsgw_ingress_admission_${name} (\\S+)$`, "m").exec(text)?.[1]);
}

const basicOf = (account: TestAccount) =>
  `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`;

/**
 * A `POST /v1/messages` whose client holds its body back (`Expect: 100-continue`) until the
 * server says go on, as curl does for large bodies: what it was told, and the final answer.
 */
function sendHoldingBody(account: TestAccount): Promise<{
  continued: boolean;
  bodySent: boolean;
  httpStatus: number;
  connection: string | undefined;
  body: Record<string, unknown>;
}> {
  const body = JSON.stringify({ to: NUMBERS.charged, from: "MyApp", text: "held back" });
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(`${h.base}/v1/messages`, {
      method: "POST",
      agent: false,
      headers: {
        authorization: basicOf(account),
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        expect: "100-continue",
      },
    });
    req.on("continue", () => {
      continued = true;
      req.end(body);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          continued,
          bodySent: req.writableEnded,
          httpStatus: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        }),
      );
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

/** A raw HTTP/1.0 exchange (node's client speaks 1.1 only): everything the server wrote. */
function http10(path: string, headers: Record<string, string>, body: string): Promise<string> {
  const { hostname, port } = new URL(h.base);
  const head = Object.entries({ ...headers, "content-length": String(Buffer.byteLength(body)) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
    socket.write(`POST ${path} HTTP/1.0\r\n${head}\r\n${body}`);
  });
}

/** Sends as fast as `workers` clients can until `stop()`; every answer is kept. */
function flood(account: TestAccount, workers = 8) {
  const answers: Answer[] = [];
  let done = false;
  const running = Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) answers.push(await call(sendUrl(account)));
    }),
  );
  return {
    answers,
    async stop() {
      done = true;
      await running;
    },
  };
}

describe("when the delivery path falls behind past the bound", () => {
  it("when one account floods, its excess is refused at once with 429 rate_limit, Retry-After and 'at capacity', uncharged, while a quiet account at 10 msg/s is never refused", async () => {
    const flooder = await h.putAccount();
    const quiet = await h.putAccount();
    await ensureDurableConsumer(h.messaging.nats.jsm, h.messaging.subjects.stream, {
      durable: STALLED,
      filterSubject: h.messaging.subjects.event("MessageAccepted"),
    });

    const heavy = flood(flooder);
    const quietAnswers: Answer[] = [];
    try {
      await waitFor(() => heavy.answers.some(atCapacity), {
        timeoutMs: 20_000,
        what: "the flooding account to be refused at capacity",
      });
      // About 10 msg/s from the quiet account while the flood goes on.
      for (let i = 0; i < 30; i++) {
        quietAnswers.push(await call(sendUrl(quiet)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The front door refuses the flood's sends from the headers alone (ADR 0026): a body
      // that express would refuse as malformed is never read. Without the credentials in a
      // header, the same body is the app's to answer.
      const basic = basicOf(flooder);
      const malformed = {
        method: "POST",
        body: "{",
        headers: { "content-type": "application/json" },
      };
      await waitFor(
        async () => {
          const early = await call(`${h.base}/v1/messages`, {
            ...malformed,
            headers: { ...malformed.headers, authorization: basic },
          });
          return atCapacity(early) && early.headers.get("retry-after") === "1";
        },
        { what: "the front door refusing a malformed send at capacity" },
      );
      const late = await call(`${h.base}/v1/messages`, malformed);
      expect([late.httpStatus, late.body.status]).toEqual([400, "invalid_params"]);
      // A client holding its body back for `Expect: 100-continue` is refused before it sends
      // it (node would have told it to go on before the door ran), and node ends the
      // connection with the answer; a quiet account's is told to go on and is accepted.
      await waitFor(
        async () => {
          const held = await sendHoldingBody(flooder);
          // Refused at the door, not by the app after the body (a tick in between can do that).
          const atDoor = !held.continued && held.httpStatus === 429;
          return atDoor && /at capacity/.test(String(held.body.message)) && held;
        },
        { what: "the front door refusing a held-back send at capacity" },
      ).then((held) => expect([held.bodySent, held.connection]).toEqual([false, "close"]));
      const quietHeld = await sendHoldingBody(quiet);
      expect([quietHeld.continued, quietHeld.httpStatus, quietHeld.body.status]).toEqual([
        true,
        202,
        "queued",
      ]);
      // The compatible endpoint never reads the Authorization header: a quiet account's send
      // that carries the flooder's header is the quiet account's, and goes through.
      const mixed = await call(sendUrl(quiet), { headers: { authorization: basic } });
      expect(mixed.body.status).toBe("success");
    } finally {
      await heavy.stop();
    }

    expect(quietAnswers.map((a) => a.body.status)).toEqual(quietAnswers.map(() => "success"));

    const refused = heavy.answers.filter(atCapacity);
    const succeeded = heavy.answers.filter((a) => a.body.status === "success");
    expect(heavy.answers.length).toBe(refused.length + succeeded.length);
    expect(refused.length).toBeGreaterThan(0);
    // The flood is throttled, not starved.
    expect(succeeded.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.body).toEqual({ status: "rate_limit", message: expect.any(String) });
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // Refused before the charge: pricing was asked once per accepted message, no more.
    const asked = h.authorizeRequests.filter((r) => r.accountId === flooder.accountId);
    expect(asked.length).toBe(succeeded.length);
    const metrics = await (await fetch(`${h.health}/metrics`)).text();
    expect(metrics).toMatch(/^smsgw_ingress_shed_total\{reason="backlog"\} [1-9]/m);
    // The door's refusals are counted under their route like the app's.
    expect(metrics).toMatch(
      /^smsgw_ingress_requests_total\{http_route="\/v1\/messages",http_response_status_code="429",status="rate_limit"\} [1-9]/m,
    );
  }, 60_000);

  it("when the backlog is gone, it stops refusing: the limit grows back and a flood is admitted in full", async () => {
    // Left by the previous test: the limit at its floor while the routing stalls.
    await waitFor(async () => (await gauge("limit")) === 2, { what: "the limit at its floor" });
    await h.messaging.nats.jsm.consumers.delete(h.messaging.subjects.stream, STALLED);
    const flooder = await h.putAccount();
    const heavy = flood(flooder);
    try {
      // Twenty answers in a row admitted: the limit no longer binds 8 clients.
      await waitFor(
        () =>
          heavy.answers.length > 20 &&
          heavy.answers.slice(-20).every((a) => a.body.status === "success"),
        { timeoutMs: 20_000, what: "the flood admitted in full" },
      );
    } finally {
      await heavy.stop();
    }
    await waitFor(async () => (await gauge("shedding")) === 0, { what: "the shedding gauge at 0" });
  }, 60_000);
});

describe("a client that holds its body back for 100 Continue", () => {
  it("when an HTTP/1.0 client says Expect: 100-continue, it is never sent a 100 (node does not hold its request for one), and its send is answered", async () => {
    const account = await h.putAccount();
    const answer = await http10(
      "/v1/messages",
      {
        authorization: basicOf(account),
        "content-type": "application/json",
        expect: "100-continue",
      },
      JSON.stringify({ to: NUMBERS.charged, from: "MyApp", text: "old client" }),
    );
    expect(answer).not.toMatch(/100 Continue/);
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
  });
});
