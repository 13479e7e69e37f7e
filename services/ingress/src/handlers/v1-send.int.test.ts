import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, NUMBERS, startHarness } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
});
afterAll(async () => {
  await h?.stop();
});

const basic = (hash: string, token: string) =>
  `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`;

function post(body: unknown, headers: Record<string, string> = {}, path = "/v1/messages") {
  return call(`${h.base}${path}`, {
    method: "POST",
    headers: {
      authorization: basic(h.account.hash, h.account.token),
      "content-type": "application/json",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const message = (overrides: Record<string, unknown> = {}) => ({
  to: NUMBERS.charged,
  from: "MyApp",
  text: "Hello v1",
  ...overrides,
});

async function expectRefused(
  answer: Promise<Awaited<ReturnType<typeof call>>>,
  httpStatus: number,
  status: string,
) {
  const before = await h.streamMessages();
  const result = await answer;
  expect(result.httpStatus).toBe(httpStatus);
  expect(result.body).toEqual({ status, message: expect.any(String) });
  expect(await h.streamMessages()).toBe(before);
  return String(result.body.message);
}

describe("POST /v1/messages", () => {
  it("when the message is valid, it answers 202 with the resource and publishes the schedule and reference", async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const validUntil = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const result = await post(message({ reference: "order-1", sendAt, validUntil }));
    expect(result.httpStatus).toBe(202);
    expect(result.body).toEqual({
      messageId: expect.stringMatching(/^msg_/),
      status: "queued",
      to: NUMBERS.charged,
      from: "MyApp",
      parts: 1,
      cost: 0.042,
      currency: "EUR",
      reference: "order-1",
      errorCode: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      statusTimes: { queued: expect.any(String) },
      sendAt,
      validUntil,
    });
    const messageId = String(result.body.messageId);
    expect(result.headers.get("location")).toBe(`/v1/messages/${messageId}`);
    const event = await waitFor(() => h.accepted.get(messageId));
    expect(event.data).toMatchObject({ reference: "order-1", sendAt, validUntil, country: "EE" });
  });

  it("when callbackStatuses is an array or a comma-separated string, the accepted event carries the expanded list", async () => {
    const callbackUrl = "https://hooks.example/dlr";
    const asArray = await post(message({ callbackUrl, callbackStatuses: ["final"] }));
    expect(asArray.httpStatus).toBe(202);
    const finals = await waitFor(() => h.accepted.get(String(asArray.body.messageId)));
    expect(finals.data.callbackStatuses).toEqual(["delivered", "undelivered", "expired", "failed"]);

    const asString = await post(message({ callbackUrl, callbackStatuses: "sent, delivered" }));
    expect(asString.httpStatus).toBe(202);
    const chosen = await waitFor(() => h.accepted.get(String(asString.body.messageId)));
    expect(chosen.data.callbackStatuses).toEqual(["sent", "delivered"]);
  });

  it("when callbackStatuses is the default, written out or left out, the accepted event carries no field", async () => {
    const callbackUrl = "https://hooks.example/dlr";
    for (const callbackStatuses of ["sent,final", undefined]) {
      const result = await post(message({ callbackUrl, callbackStatuses }));
      expect(result.httpStatus).toBe(202);
      const event = await waitFor(() => h.accepted.get(String(result.body.messageId)));
      expect(event.data).not.toHaveProperty("callbackStatuses");
      expect(event.data).toMatchObject({ callbackUrl, cost: 420, pricePerPart: 420 });
    }
  });

  it("when the credentials are hash and token fields in the body, it sends too", async () => {
    const result = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message({ hash: h.account.hash, token: h.account.token })),
    });
    expect(result.httpStatus).toBe(202);
  });

  it("when sendAt is in the past, it is sent now (no sendAt in the event)", async () => {
    const result = await post(message({ sendAt: "2020-01-01T00:00:00Z" }));
    expect(result.body.sendAt).toBeNull();
    const event = await waitFor(() => h.accepted.get(String(result.body.messageId)));
    expect(event.data.sendAt).toBeUndefined();
  });

  it.each([
    [{ to: 5 }, "to must be a string"],
    [{ text: undefined }, "text is missing"],
    [{ text: "" }, "text is empty"],
    [{ toNumber: "+37256789045" }, "unknown field toNumber"],
    [{ sendAt: "tomorrow" }, "sendAt must be an ISO 8601"],
    [
      { sendAt: new Date(Date.now() + 8 * 86_400_000).toISOString() },
      "sendAt is more than 168 hours ahead",
    ],
    [{ validUntil: new Date(Date.now() - 1000).toISOString() }, "validUntil is not in the future"],
    [
      { validUntil: new Date(Date.now() + 73 * 3_600_000).toISOString() },
      "validUntil is more than 72 hours",
    ],
    [
      { callbackUrl: "http://169.254.169.254/latest" },
      "callbackUrl is refused: 169.254.169.254 is a metadata address",
    ],
    [{ reference: "r".repeat(129) }, "reference"],
    // Postgres takes no NUL: the event store could not record the message (ADR 0024).
    [{ text: "nul \u0000 inside" }, "text contains U+0000 (NUL)"],
    [{ reference: "r\u0000" }, "reference contains U+0000 (NUL)"],
    [{ callbackUrl: "https://example.com/\u0000" }, "callbackUrl contains U+0000 (NUL)"],
    // Nor a lone surrogate in JSON: JSON.stringify writes it as the escape "\ud83d".
    [{ text: "Hi \ud83d there" }, "text contains a lone UTF-16 surrogate"],
    [{ reference: "r\udc00" }, "reference contains a lone UTF-16 surrogate"],
    [{ callbackUrl: "https://example.com/\ud83d" }, "callbackUrl contains a lone UTF-16 surrogate"],
    [{ callbackStatuses: "sent,queued" }, "callbackStatuses cannot ask for queued"],
    [{ callbackStatuses: ["read"] }, 'callbackStatuses has an unknown status "read"'],
    [{ callbackStatuses: [1] }, "callbackStatuses.0 must be a string"],
  ])(
    "when the body has %j, it is 400 invalid_params naming the field",
    async (overrides, reason) => {
      const why = await expectRefused(post(message(overrides)), 400, "invalid_params");
      expect(why).toContain(reason);
    },
  );

  it("when the body is not JSON or not an object or the type is form, it is 400 invalid_params", async () => {
    expect(await expectRefused(post("{"), 400, "invalid_params")).toBe("body is not valid JSON");
    await expectRefused(post("[1]"), 400, "invalid_params");
    expect(
      await expectRefused(
        post("to=1", { "content-type": "application/x-www-form-urlencoded" }),
        400,
        "invalid_params",
      ),
    ).toContain("send application/json");
  });

  it("when the credentials are wrong, it is 401 with WWW-Authenticate", async () => {
    const secret = "s3cr3t-Token-xyz";
    const result = await post(message(), { authorization: basic(h.account.hash, secret) });
    expect(result.httpStatus).toBe(401);
    expect(result.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(result.text).not.toContain(secret);
    expect(result.text).not.toContain(h.account.hash);
  });

  it("when the refusals of api.md's 200 rows happen, they answer 422", async () => {
    expect(await expectRefused(post(message({ to: "+3725" })), 422, "invalid_phone")).toBe(
      "to is not a valid phone number",
    );
    expect(
      await expectRefused(post(message({ from: "ThisSenderIsTooLong" })), 422, "invalid_sender"),
    ).toBe("an alphanumeric from has at most 11 characters");
    await expectRefused(post(message({ to: NUMBERS.blocked })), 422, "destination_blocked");
    await expectRefused(post(message({ to: NUMBERS.lowBalance })), 422, "low_balance");
  });

  it("when pricing does not answer, it is 500 server_error and nothing is accepted", async () => {
    await expectRefused(post(message({ to: NUMBERS.noAnswer })), 500, "server_error");
  });
});

describe("the checks at the door (both endpoints)", () => {
  it("when the account blocks the destination's country, it is destination_blocked and pricing is not asked", async () => {
    const blocker = await h.putAccount({ blockedCountries: ["EE"] });
    const asked = h.authorizeRequests.length;
    const answer = await waitFor(async () => {
      const a = await call(`${h.base}/v1/messages`, {
        method: "POST",
        headers: {
          authorization: basic(blocker.hash, blocker.token),
          "content-type": "application/json",
        },
        body: JSON.stringify(message()),
      });
      return a.httpStatus === 401 ? undefined : a;
    });
    expect(answer.httpStatus).toBe(422);
    expect(answer.body).toEqual({
      status: "destination_blocked",
      message: "sending to EE is blocked for this account",
    });
    const compatible = await call(
      `${h.base}/?${new URLSearchParams({ hash: blocker.hash, token: blocker.token, toNumber: NUMBERS.charged, fromNumber: "MyApp", text: "hi" })}`,
    );
    expect(compatible.httpStatus).toBe(200);
    expect(compatible.body.status).toBe("destination_blocked");
    expect(h.authorizeRequests.length).toBe(asked);
  });

  it("when routing's rules say so, it is invalid_sender before destination_blocked, without asking pricing", async () => {
    await h.putRoutingRules({
      routablePrefixes: ["+372"],
      senderRules: [
        { prefix: "+7", alphanumericAllowed: false, registeredOnly: false, registeredSenders: [] },
      ],
      updatedAt: new Date().toISOString(),
    });
    // +7 has no route and wants a numeric sender: the sender is reported first (api.md's order).
    // The rules reach ingress through a KV watch; until then a send may still reach pricing.
    await waitFor(async () => {
      const a = await post(message({ to: NUMBERS.blocked }));
      return a.body.status === "invalid_sender" ? a : undefined;
    });
    const asked = h.authorizeRequests.length;
    const sender = await post(message({ to: NUMBERS.blocked }));
    expect(sender.body.message).toBe("this destination requires a numeric sender");
    const route = await post(message({ to: NUMBERS.blocked, from: "37255550000" }));
    expect(route.body).toEqual({
      status: "destination_blocked",
      message: "no route to this destination",
    });
    expect(h.authorizeRequests.length).toBe(asked);
    // A routable destination goes on to pricing.
    expect((await post(message())).httpStatus).toBe(202);
  });

  it("when the compatible endpoint gets a private callback URL, it is invalid_params saying why", async () => {
    const answer = await call(
      `${h.base}/?${new URLSearchParams({ hash: h.account.hash, token: h.account.token, toNumber: NUMBERS.charged, fromNumber: "MyApp", text: "hi", callbackUrl: "http://10.0.0.5/dlr" })}`,
    );
    expect(answer.httpStatus).toBe(400);
    expect(answer.body).toEqual({
      status: "invalid_params",
      message: "callbackUrl is refused: 10.0.0.5 is a private address",
    });
  });
});
