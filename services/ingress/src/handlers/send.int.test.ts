import { connect } from "node:net";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, NUMBERS, query, startHarness } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const fieldsOf = (overrides: Record<string, string | string[]> = {}) => ({
  hash: h.account.hash,
  token: h.account.token,
  toNumber: NUMBERS.charged,
  fromNumber: "MyApp",
  text: "Hello from the test",
  ...overrides,
});
const get = (fields: Record<string, string | string[]>) => call(`${h.base}/?${query(fields)}`);
const postJson = (body: unknown, path = "/") =>
  call(`${h.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const postForm = (fields: Record<string, string>, path = "/") =>
  call(`${h.base}${path}`, { method: "POST", body: new URLSearchParams(fields) });

/** Asserts the answer is a refusal with nothing charged or stored, and returns its message. */
async function expectRefusal(
  answer: Promise<Awaited<ReturnType<typeof call>>>,
  httpStatus: number,
  status: string,
): Promise<string> {
  const before = await h.streamMessages();
  const result = await answer;
  expect(result.httpStatus).toBe(httpStatus);
  expect(result.headers.get("content-type")).toMatch(/^application\/json/);
  expect(result.body.status).toBe(status);
  expect(typeof result.body.message).toBe("string");
  expect(Object.keys(result.body).sort()).toEqual(["message", "status"]);
  expect(await h.streamMessages()).toBe(before);
  return String(result.body.message);
}

describe("when a send request is valid", () => {
  it("when sent as GET with query fields, it answers success after the accepted event is stored", async () => {
    const result = await get(fieldsOf());
    expect(result.httpStatus).toBe(200);
    expect(result.body).toEqual({
      status: "success",
      messageId: expect.stringMatching(/^msg_[0-9A-Z]{26}$/),
      parts: 1,
      cost: 0.042,
      currency: "EUR",
    });
    const messageId = String(result.body.messageId);
    const event = await waitForAccepted(messageId);
    expect(event).toMatchObject({
      eventId: `${messageId}:accepted`,
      accountId: h.account.accountId,
      data: {
        to: NUMBERS.charged,
        from: "MyApp",
        text: "Hello from the test",
        encoding: "gsm7",
        parts: 1,
        country: "EE",
        cost: 420,
        currency: "EUR",
        pricePerPart: 420,
        callbackUrl: null,
        reference: null,
      },
    });
    // The default mask (sent,final) is not written out: events stay small.
    expect(event.data).not.toHaveProperty("callbackStatuses");
    const charged = h.authorizeRequests.find((r) => r.messageId === messageId);
    expect(charged).toMatchObject({
      accountId: h.account.accountId,
      to: NUMBERS.charged,
      country: "EE",
      parts: 1,
    });
  });

  it("when sent as a form POST, body fields win over query fields", async () => {
    const result = await postForm(
      fieldsOf({ text: "from the body" }),
      `/?${query({ text: "from the query" })}`,
    );
    expect(result.body.status).toBe("success");
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data.text).toBe("from the body");
  });

  it("when sent as a JSON POST with a callback URL, the event carries it", async () => {
    const result = await postJson(fieldsOf({ callbackUrl: "https://hooks.example/dlr?k=1" }));
    expect(result.body.status).toBe("success");
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data.callbackUrl).toBe("https://hooks.example/dlr?k=1");
  });

  it("when callbackStatuses is in the query, the accepted event carries the expanded list", async () => {
    const result = await get(
      fieldsOf({ callbackUrl: "https://hooks.example/dlr", callbackStatuses: "final" }),
    );
    expect(result.body.status).toBe("success");
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data.callbackStatuses).toEqual(["delivered", "undelivered", "expired", "failed"]);
  });

  it("when callbackStatuses is a form field, the accepted event carries the statuses it names", async () => {
    const result = await postForm(
      fieldsOf({ callbackUrl: "https://hooks.example/dlr", callbackStatuses: "sent,expired" }),
    );
    expect(result.body.status).toBe("success");
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data.callbackStatuses).toEqual(["sent", "expired"]);
  });

  it("when a POST has no body, the query fields are used", async () => {
    const result = await call(`${h.base}/?${query(fieldsOf())}`, { method: "POST" });
    expect(result.body.status).toBe("success");
  });

  it("when the text needs three UCS-2 parts, it answers parts 3 and the cost of three", async () => {
    const result = await postJson(fieldsOf({ text: "Привет мир! ".repeat(12) }));
    expect(result.body).toMatchObject({ status: "success", parts: 3, cost: 0.126 });
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data).toMatchObject({ encoding: "ucs2", parts: 3, cost: 1260 });
  });

  it("when the sender has spaces around it, the event has it trimmed", async () => {
    const result = await get(fieldsOf({ fromNumber: "  +37255550000 " }));
    const event = await waitForAccepted(String(result.body.messageId));
    expect(event.data.from).toBe("+37255550000");
  });
});

function waitForAccepted(messageId: string) {
  return waitFor(() => h.accepted.get(messageId), { what: `accepted ${messageId}` });
}

describe("when a request is refused, it answers the error table of api.md", () => {
  it("when a field is missing, it is invalid_params naming the field", async () => {
    const { toNumber: _, ...rest } = fieldsOf();
    expect(await expectRefusal(get(rest), 400, "invalid_params")).toContain("toNumber");
  });

  it("when a field is empty, it is invalid_params naming the field", async () => {
    expect(await expectRefusal(get(fieldsOf({ text: "" })), 400, "invalid_params")).toContain(
      "text",
    );
  });

  it("when a field is given twice, it is invalid_params", async () => {
    const message = await expectRefusal(get(fieldsOf({ text: ["a", "b"] })), 400, "invalid_params");
    expect(message).toContain("text");
  });

  it("when a JSON field is not a string, it is invalid_params", async () => {
    const body = { ...fieldsOf(), toNumber: 37256789045 };
    expect(await expectRefusal(postJson(body), 400, "invalid_params")).toContain("toNumber");
  });

  it("when the text is over the part limit, it is invalid_params", async () => {
    const message = await expectRefusal(
      postJson(fieldsOf({ text: "ж".repeat(67 * 10 + 1) })),
      400,
      "invalid_params",
    );
    expect(message).toBe("text is 11 parts long; the limit is 10 parts");
  });

  it("when the text is longer than the part limit can hold, it is invalid_params by its length", async () => {
    const message = await expectRefusal(
      postJson(fieldsOf({ text: "x".repeat(153 * 10 + 1) })),
      400,
      "invalid_params",
    );
    expect(message).toBe(
      "text is 1531 characters long; the limit is 10 parts (at most 1530 characters)",
    );
  });

  it("when a GET query string carries a text far over the limit, it is still JSON invalid_params", async () => {
    const message = await expectRefusal(
      get(fieldsOf({ text: "ж".repeat(3_000) })),
      400,
      "invalid_params",
    );
    expect(message).toBe(
      "text is 3000 characters long; the limit is 10 parts (at most 1530 characters)",
    );
  });

  it("when the JSON is malformed, it is invalid_params", async () => {
    const message = await expectRefusal(postJson('{"hash": "h", '), 400, "invalid_params");
    expect(message).toBe("body is not valid JSON");
  });

  it("when the JSON body is an array, it is invalid_params", async () => {
    await expectRefusal(postJson([fieldsOf()]), 400, "invalid_params");
  });

  it("when the content type is unknown, it is invalid_params (not 415)", async () => {
    const message = await expectRefusal(
      call(`${h.base}/`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: query(fieldsOf()),
      }),
      400,
      "invalid_params",
    );
    expect(message).toContain("text/plain");
  });

  it("when the body is over the size limit, it is invalid_params", async () => {
    const message = await expectRefusal(
      postJson(fieldsOf({ text: "x".repeat(70_000) })),
      400,
      "invalid_params",
    );
    expect(message).toBe("body is larger than 65536 bytes");
  });

  it("when callbackStatuses asks for queued or an unknown status, it is invalid_params naming the field", async () => {
    const queued = await expectRefusal(
      get(fieldsOf({ callbackStatuses: "queued" })),
      400,
      "invalid_params",
    );
    expect(queued).toMatch(/^callbackStatuses cannot ask for queued/);
    const unknown = await expectRefusal(
      postForm(fieldsOf({ callbackStatuses: "sent,read" })),
      400,
      "invalid_params",
    );
    expect(unknown).toMatch(/^callbackStatuses has an unknown status "read"/);
  });

  it("when the callback URL is not http(s), it is invalid_params", async () => {
    const message = await expectRefusal(
      get(fieldsOf({ callbackUrl: "ftp://files.example/x" })),
      400,
      "invalid_params",
    );
    expect(message).toContain("callbackUrl");
  });

  it.each([
    ["http://168.63.129.16/dlr", "168.63.129.16 is a metadata address"],
    ["http://[::ffff:0:10.0.0.5]/dlr", "is a private address"],
    ["http://[::ffff:0:a9fe:a9fe]/dlr", "is a metadata address"],
    ["https://hooks.example.com:25/dlr", "port 25 is not allowed (80, 443 or 1024-65535)"],
    ["https://hooks.example.com:22/dlr", "port 22 is not allowed"],
  ])(
    "when the callback URL is %s, it is refused as invalid_params",
    async (callbackUrl, reason) => {
      const message = await expectRefusal(get(fieldsOf({ callbackUrl })), 400, "invalid_params");
      expect(message).toContain("callbackUrl is refused");
      expect(message).toContain(reason);
    },
  );

  it("when the callback URL names port 8443, it is accepted", async () => {
    const result = await get(fieldsOf({ callbackUrl: "https://hooks.example.com:8443/dlr" }));
    expect(result.body.status).toBe("success");
  });

  it("when the token is wrong or the hash unknown, it is auth_failed with one message", async () => {
    const wrongToken = await expectRefusal(get(fieldsOf({ token: "wrong" })), 401, "auth_failed");
    const unknownHash = await expectRefusal(get(fieldsOf({ hash: "nobody" })), 401, "auth_failed");
    expect(unknownHash).toBe(wrongToken);
  });

  it("when an account is disabled while the ingress runs, its next request is auth_failed with the same message", async () => {
    const account = await h.putAccount();
    const fields = fieldsOf({ hash: account.hash, token: account.token });
    // The KV watch brings the new account to the ingress asynchronously.
    await waitFor(async () => (await get(fields)).body.status === "success");
    const wrongToken = (await get(fieldsOf({ token: "wrong" }))).body.message;
    await h.putAccount(
      { hash: account.hash, accountId: account.accountId, status: "disabled" },
      account.token,
    );
    const refused = await waitFor(async () => {
      const answer = await get(fields);
      return answer.body.status === "auth_failed" ? answer : undefined;
    });
    expect(refused.httpStatus).toBe(401);
    expect(refused.body.message).toBe(wrongToken);
  });

  it.each([
    ["37256789045", "+"],
    ["+3725678904", "not a valid phone number"],
    ["+37256789045abc", "digits only"],
  ])("when toNumber is %s, it is invalid_phone (HTTP 200)", async (toNumber, reason) => {
    const message = await expectRefusal(get(fieldsOf({ toNumber })), 200, "invalid_phone");
    expect(message).toContain(reason);
  });

  it.each([
    ["a 12-character alphanumeric", "ABCDEFGHIJKL"],
    ["a 16-digit numeric", "1234567890123456"],
    ["a non-GSM character", "Shop€"],
    ["GSM-7 letters that are not ASCII", "ÄÖÜ"],
    ["an accented Latin letter", "Café"],
    ["a blank", "   "],
  ])("when fromNumber is %s, it is invalid_sender (HTTP 200)", async (_what, fromNumber) => {
    await expectRefusal(get(fieldsOf({ fromNumber })), 200, "invalid_sender");
  });

  it("when pricing says the destination is blocked, it is destination_blocked (HTTP 200)", async () => {
    const message = await expectRefusal(
      get(fieldsOf({ toNumber: NUMBERS.blocked })),
      200,
      "destination_blocked",
    );
    expect(message).toContain("RU is blocked");
  });

  it("when pricing says the credit is short, it is low_balance (HTTP 200)", async () => {
    await expectRefusal(get(fieldsOf({ toNumber: NUMBERS.lowBalance })), 200, "low_balance");
  });

  it("when pricing answers error, it is server_error (HTTP 500)", async () => {
    await expectRefusal(get(fieldsOf({ toNumber: NUMBERS.pricingError })), 500, "server_error");
  });

  it("when pricing does not answer in time, it is server_error (HTTP 500)", async () => {
    await expectRefusal(get(fieldsOf({ toNumber: NUMBERS.noAnswer })), 500, "server_error");
  });

  it("when no pricing responder exists, it is server_error (HTTP 500)", async () => {
    await h.stopPricing();
    try {
      await expectRefusal(get(fieldsOf()), 500, "server_error");
    } finally {
      h.startPricing();
      await h.messaging.nats.nc.flush();
    }
  });
});

describe("when several checks fail, the first in api.md's order wins", () => {
  it("when a field is missing and the token is wrong, it is invalid_params", async () => {
    const { text: _, ...rest } = fieldsOf({ token: "wrong" });
    await expectRefusal(get(rest), 400, "invalid_params");
  });

  it("when the token is wrong and the phone invalid, it is auth_failed", async () => {
    await expectRefusal(get(fieldsOf({ token: "wrong", toNumber: "123" })), 401, "auth_failed");
  });

  it("when the phone and the sender are both invalid, it is invalid_phone", async () => {
    await expectRefusal(
      get(fieldsOf({ toNumber: "123", fromNumber: "ABCDEFGHIJKLMN" })),
      200,
      "invalid_phone",
    );
  });

  it("when the sender is invalid and the destination blocked, it is invalid_sender and pricing is not asked", async () => {
    const asked = h.authorizeRequests.length;
    await expectRefusal(
      get(fieldsOf({ toNumber: NUMBERS.blocked, fromNumber: "ABCDEFGHIJKLMN" })),
      200,
      "invalid_sender",
    );
    expect(h.authorizeRequests.length).toBe(asked);
  });
});

describe("when a request is not a send request, the answer is still JSON", () => {
  it("when the route is unknown, it answers 404 not_found", async () => {
    const result = await call(`${h.base}/nowhere?token=secret`);
    expect(result.httpStatus).toBe(404);
    expect(result.body.status).toBe("not_found");
    expect(result.text).not.toContain("secret");
  });

  it("when the method is wrong, it answers 405 with Allow", async () => {
    const result = await call(`${h.base}/`, { method: "PUT" });
    expect(result.httpStatus).toBe(405);
    expect(result.body.status).toBe("method_not_allowed");
    expect(result.headers.get("allow")).toBe("GET, POST");
  });

  it("when the method is HEAD, nothing is sent", async () => {
    const asked = h.authorizeRequests.length;
    const response = await fetch(`${h.base}/?${query(fieldsOf())}`, { method: "HEAD" });
    expect(response.status).toBe(405);
    expect(h.authorizeRequests.length).toBe(asked);
  });

  it("when any answer is given, it has no x-powered-by header and no HTML", async () => {
    const result = await postJson("<html>");
    expect(result.headers.get("x-powered-by")).toBeNull();
    expect(result.text).not.toMatch(/<html|at .*\.ts:/i);
  });

  it("when the path has a malformed escape, it answers a JSON 4xx, not a server error", async () => {
    const result = await call(`${h.base}/v1/messages/%E0%A4%A`);
    expect(result.httpStatus).toBeGreaterThanOrEqual(400);
    expect(result.httpStatus).toBeLessThan(500);
    expect(result.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("when the Expect header is not 100-continue, it answers 417 invalid_params as JSON naming the header, and nothing is sent", async () => {
    const asked = h.authorizeRequests.length;
    const body = JSON.stringify(fieldsOf());
    const { head, body: text } = await rawExchange(
      [
        "POST / HTTP/1.1",
        "host: 127.0.0.1",
        "content-type: application/json",
        `content-length: ${Buffer.byteLength(body)}`,
        "expect: foo",
        "",
        body,
      ].join("\r\n"),
    );
    expect(head).toMatch(/^HTTP\/1\.1 417 /);
    expect(head).toMatch(/^content-type: application\/json/im);
    expect(head).toMatch(/^connection: close/im);
    expect(JSON.parse(text)).toEqual({
      status: "invalid_params",
      message: expect.stringMatching(/Expect header/),
    });
    expect(h.authorizeRequests.length).toBe(asked);
  });

  it("when form fields are nested or bracketed, they are not taken as the field", async () => {
    const body = `${query({ ...fieldsOf(), text: "x" }).replace("text=x", "text[a]=b")}`;
    const result = await call(`${h.base}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    expect(result.httpStatus).toBe(400);
    expect(result.body.status).toBe("invalid_params");
  });

  it("when the probes and /metrics are asked on the health port, they answer", async () => {
    expect((await call(`${h.health}/healthz`)).body).toEqual({ status: "ok" });
    expect((await call(`${h.health}/readyz`)).body).toEqual({ status: "ok" });
    const metrics = await fetch(`${h.health}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^smsgw_ingress_requests_total/m);
  });

  it("when the probes or /metrics are asked on the API port, it is 404 not_found: they are not the internet's", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const answer = await call(`${h.base}${path}`);
      expect(answer.httpStatus, path).toBe(404);
      expect(answer.body.status).toBe("not_found");
    }
  });
});

/** Writes `request` on a raw socket (no client rewrites its headers); the first answer's head and body. */
function rawExchange(request: string): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(h.base);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = received.subarray(0, end).toString("latin1");
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      socket.destroy();
      resolve({ head, body: received.subarray(end + 4, end + 4 + length).toString("utf8") });
    });
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error("no answer within 5 s")));
  });
}
