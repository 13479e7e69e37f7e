import { waitFor } from "@smsgw/testkit";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDlrDispatcher } from "./service.ts";
import {
  type Answer,
  account,
  newSecret,
  type Received,
  type Receiver,
  type Stack,
  startReceiver,
  startStack,
  statusChange,
  verify,
} from "./test-stack.ts";

// The dispatcher with private callbacks allowed (as the local stack runs it: the
// receivers are on 127.0.0.1), a 1.5 s attempt timeout and 2 attempts per origin.
describe("dlr-dispatcher on real JetStream, Postgres and HTTP", () => {
  let stack: Stack;
  const receivers: Receiver[] = [];
  const secrets = [newSecret(), newSecret()]; // newest first: a rotation's grace period
  const otherSecret = newSecret();
  const receiver = async (answer?: (n: number) => Answer) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };
  const warnings: string[] = [];
  const dispatcherLog = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
  const start = async () => {
    stack.dispatcher = await startDlrDispatcher(stack.config, dispatcherLog);
  };

  beforeAll(async () => {
    stack = await startStack({
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_TIMEOUT_MS: "1500",
      WEBHOOK_ORIGIN_CONCURRENCY: "2",
    });
    await stack.putAccount(account("acc_1", secrets));
    await stack.putAccount(account("acc_2", [otherSecret]));
    await start();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("when a change is reported, the body is api.md's (with sequence) and verifies with both secrets of a rotation", async () => {
    const hook = await receiver();
    const change = statusChange("acc_1", `${hook.url}/dlr?token=s3cret`, {
      cost: 1260,
      parts: 3,
      reference: "order-7",
    });
    await stack.publish(change);
    await waitFor(() => stack.attemptsOf(change.messageId).length === 1, { what: "the attempt" });

    const [request] = hook.requests;
    if (!request) throw new Error("no request");
    expect(request.url).toBe("/dlr?token=s3cret");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-id"]).toBe(`${change.messageId}:status:3`);
    expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    const expected = {
      type: "status",
      messageId: change.messageId,
      status: "delivered",
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      parts: 3,
      cost: 0.126,
      currency: "EUR",
      errorCode: null,
      reference: "order-7",
      sequence: 3,
      occurredAt: change.occurredAt,
    };
    for (const secret of secrets) expect(verify(secret, request)).toEqual(expected);
    expect(() => verify(newSecret(), request)).toThrow();
    expect(() =>
      verify(secrets[0] ?? "", { ...request, body: request.body.replace("delivered", "failed") }),
    ).toThrow();
    expect(stack.attemptsOf(change.messageId)[0]?.data).toMatchObject({
      sequence: 3,
      status: "delivered",
      attempt: 1,
      endpoint: `${hook.url}/dlr`,
      httpStatus: 200,
      error: null,
      outcome: "delivered",
    });
  });

  it("when an account's record still carries its secrets (published before their bucket), the reports are signed with them", async () => {
    const hook = await receiver();
    const secret = newSecret();
    await stack.putRecordWithSecrets(account("acc_legacy", [secret]));
    const change = statusChange("acc_legacy", `${hook.url}/dlr`);
    await stack.publish(change);
    const [request] = await waitFor(() => (hook.requests.length > 0 ? hook.requests : undefined), {
      what: "the report",
    });
    if (!request) throw new Error("no report");
    expect(() => verify(secret, request)).not.toThrow();
  });

  it("when the receiver fails 3 times, the 4th attempt delivers after growing waits, one success recorded", async () => {
    const hook = await receiver((n) => (n < 3 ? 503 : 200));
    const change = statusChange("acc_1", `${hook.url}/flaky`);
    await stack.publish(change);
    await waitFor(
      () => stack.attemptsOf(change.messageId).some((a) => a.data.outcome === "delivered"),
      {
        what: "the delivered attempt",
        timeoutMs: 20_000,
      },
    );
    await stack.settled();

    expect(hook.requests).toHaveLength(4);
    const [t0 = 0, t1 = 0, t2 = 0, t3 = 0] = hook.requests.map((r) => r.at);
    const gaps = [t1 - t0, t2 - t1, t3 - t2];
    expect(gaps[0]).toBeGreaterThanOrEqual(1_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2_000);
    expect(gaps[2]).toBeGreaterThanOrEqual(4_000);
    expect(new Set(hook.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const request of hook.requests) expect(verify(secrets[0] ?? "", request)).toBeTruthy();
    expect(
      stack
        .attemptsOf(change.messageId)
        .map((a) => [a.data.attempt, a.data.httpStatus, a.data.outcome]),
    ).toEqual([
      [1, 503, "retrying"],
      [2, 503, "retrying"],
      [3, 503, "retrying"],
      [4, 200, "delivered"],
    ]);
  });

  it("when the receiver answers 410 Gone, it is tried once and given up", async () => {
    const hook = await receiver(() => 410);
    const change = statusChange("acc_1", `${hook.url}/gone`);
    await stack.publish(change);
    await stack.settled();
    expect(hook.requests).toHaveLength(1);
    expect(
      stack.attemptsOf(change.messageId).map((a) => [a.data.httpStatus, a.data.outcome]),
    ).toEqual([[410, "gave_up"]]);
  });

  it("when the event store sends several changes in one StatusChangeBatch, each is reported once", async () => {
    const hook = await receiver();
    const changes = [
      statusChange("acc_1", `${hook.url}/b`, { status: "sent", sequence: 2 }),
      statusChange("acc_1", `${hook.url}/b`),
      statusChange("acc_1", `${hook.url}/b`),
    ];
    await stack.messaging.publisher.publishStatusChangeBatch(changes);
    await waitFor(() => hook.requests.length === 3, { what: "the three reports" });
    await stack.settled();
    const reported = hook.requests.map((r) => String(r.headers["webhook-id"])).sort();
    expect(reported).toEqual(changes.map((c) => `${c.messageId}:status:${c.sequence}`).sort());
  });

  it("when a change has no callback URL, or is only queued, nothing is sent or recorded", async () => {
    const hook = await receiver();
    const silent = [
      statusChange("acc_1", null),
      statusChange("acc_1", `${hook.url}/q`, { status: "queued", sequence: 1 }),
    ];
    await stack.publish(...silent);
    await stack.settled();
    expect(hook.requests).toEqual([]);
    for (const change of silent) expect(stack.attemptsOf(change.messageId)).toEqual([]);
  });

  it("when an endpoint is down, its other reports back off with it instead of each being tried", async () => {
    let status = 503;
    const down = await receiver(() => status);
    const changes = Array.from({ length: 12 }, () => statusChange("acc_1", `${down.url}/down`));
    await stack.publish(...changes);
    await waitFor(() => down.requests.length >= 2, { what: "the first attempts" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Two in flight (the origin's share) failed; the other ten wait out the origin's back-off,
    // at least 1 s from the first failure, which came after the first request arrived. Counted
    // by arrival time, not at the moment of looking: a busy machine may outsleep the back-off.
    const first = down.requests[0]?.at ?? 0;
    const withinBackOff = down.requests.filter((r) => r.at < first + 1_000 - 10);
    expect(withinBackOff).toHaveLength(2);
    status = 410;
    await stack.settled(20_000);
    expect(new Set(down.requests.map((r) => r.headers["webhook-id"])).size).toBe(12);
  });

  it("when one endpoint on a host is down and asks for Retry-After, another endpoint on the same host is not held", async () => {
    const host: Receiver = await receiver((n) =>
      host.requests[n]?.url.startsWith("/a")
        ? { status: 503, headers: { "retry-after": "120" } }
        : 200,
    );
    const broken = Array.from({ length: 4 }, () => statusChange("acc_1", `${host.url}/a`));
    await stack.publish(...broken);
    await waitFor(() => host.requests.some((r) => r.url === "/a"), { what: "/a failing" });
    const other = Array.from({ length: 3 }, () => statusChange("acc_2", `${host.url}/b?k=1`));
    await stack.publish(...other);
    await waitFor(() => host.requests.filter((r) => r.url.startsWith("/b")).length === 3, {
      what: "the reports to /b, while /a backs off for 2 minutes",
      timeoutMs: 5_000,
    });
    // /a is backing off as a whole: no more than its share (2) was tried.
    expect(host.requests.filter((r) => r.url === "/a").length).toBeLessThanOrEqual(2);
  });

  it("when an endpoint hangs, it times out, and reports to a healthy endpoint of the same and of another account arrive on time", async () => {
    const hanging = await receiver(() => "hang");
    const healthy = await receiver();
    // More hanging reports than the origin's share (2), so a queue forms behind them.
    const stuck = Array.from({ length: 6 }, () => statusChange("acc_1", `${hanging.url}/hang`));
    await stack.publish(...stuck);
    await waitFor(() => hanging.requests.length === 2, { what: "the hanging endpoint to be busy" });

    const sameAccount = statusChange("acc_1", `${healthy.url}/ok`);
    const otherAccount = statusChange("acc_2", `${healthy.url}/ok`);
    await stack.publish(sameAccount, otherAccount);
    await waitFor(() => healthy.requests.length === 2, {
      what: "the healthy reports",
      timeoutMs: 5_000,
    });
    expect(hanging.requests.length).toBeLessThanOrEqual(2); // its origin is still full or backing off

    await waitFor(() => stack.attemptsOf(stuck[0]?.messageId ?? "").length >= 1, {
      what: "the timeout",
      timeoutMs: 5_000,
    });
    // Both arrived before any hanging attempt timed out (its event's occurredAt): nothing
    // waited for them. Order, not a bound from publishing: a busy machine may be slow to both.
    const timedOut = Math.min(
      ...stuck.flatMap((c) => stack.attemptsOf(c.messageId)).map((a) => Date.parse(a.occurredAt)),
    );
    for (const request of healthy.requests) expect(request.at).toBeLessThan(timedOut);
    expect(stack.attemptsOf(stuck[0]?.messageId ?? "")[0]?.data).toMatchObject({
      httpStatus: null,
      error: "timeout after 1500 ms",
      outcome: "retrying",
    });
    expect(stack.attemptsOf(sameAccount.messageId).map((a) => a.data.outcome)).toEqual([
      "delivered",
    ]);
    expect(stack.attemptsOf(otherAccount.messageId).map((a) => a.data.outcome)).toEqual([
      "delivered",
    ]);
    // Let the stuck ones be given up quickly: the endpoint answers 410 from now on.
    await hanging.close();
  });

  it("when two accounts' messages are reported, each report is signed with its own account's secret only", async () => {
    const hook = await receiver();
    const mine = statusChange("acc_1", `${hook.url}/a`);
    const theirs = statusChange("acc_2", `${hook.url}/b`);
    await stack.publish(mine, theirs);
    await waitFor(() => hook.requests.length === 2, { what: "both reports" });
    const byPath = (path: string) => hook.requests.find((r) => r.url === path) as Received;
    expect(verify(secrets[0] ?? "", byPath("/a"))).toMatchObject({ messageId: mine.messageId });
    expect(() => verify(otherSecret, byPath("/a"))).toThrow();
    expect(verify(otherSecret, byPath("/b"))).toMatchObject({ messageId: theirs.messageId });
    for (const secret of secrets) expect(() => verify(secret, byPath("/b"))).toThrow();
    // Attempts are recorded in a batch once the batch's POSTs are done: after the report.
    const [attempt] = await waitFor(
      () => stack.attemptsOf(theirs.messageId).length > 0 && stack.attemptsOf(theirs.messageId),
      { what: "the attempt of their report" },
    );
    expect(attempt?.accountId).toBe("acc_2");
  });

  it("when the receiver redirects to 127.0.0.1, the redirect is not followed and the refusal is recorded", async () => {
    const internal = await receiver();
    const target = `${internal.url.replace("http://127.0.0.1", "http://127.0.0.1")}/admin`;
    const hook = await receiver(() => ({ status: 302, headers: { location: target } }));
    const change = statusChange("acc_1", `${hook.url}/moved`);
    await stack.publish(change);
    await waitFor(() => stack.attemptsOf(change.messageId).length >= 1, { what: "the attempt" });
    expect(internal.requests).toEqual([]);
    expect(stack.attemptsOf(change.messageId)[0]?.data).toMatchObject({
      httpStatus: 302,
      outcome: "retrying",
      error: `redirect (302) to ${target} not followed: refused, 127.0.0.1 is a loopback address`,
    });
  });

  it("when the account is not known yet, the report waits for it and is never sent unsigned", async () => {
    const hook = await receiver();
    const change = statusChange("acc_late", `${hook.url}/late`);
    await stack.publish(change);
    const heldBack = () =>
      warnings.filter(
        (line) => line.includes(change.messageId) && line.includes("account unknown"),
      );
    await waitFor(() => heldBack().length >= 1, { what: "the report to be held back" });
    expect(hook.requests).toEqual([]);
    const lateSecret = newSecret();
    await stack.putAccount(account("acc_late", [lateSecret]));
    await waitFor(() => hook.requests.length === 1, { timeoutMs: 15_000, what: "the late report" });
    expect(verify(lateSecret, hook.requests[0] as Received)).toMatchObject({
      messageId: change.messageId,
    });
  });

  it("when a change happens while the dispatcher is stopped, and a retry is pending across a restart, both are reported after it starts", async () => {
    const hook = await receiver((n) => (n === 0 ? 500 : 200));
    const retried = statusChange("acc_1", `${hook.url}/retried`, { sequence: 4 });
    await stack.publish(retried);
    await waitFor(() => stack.attemptsOf(retried.messageId).length === 1, {
      what: "the first failure",
    });
    await stack.dispatcher?.stop();
    stack.dispatcher = undefined;

    const later = statusChange("acc_1", `${hook.url}/later`, { status: "sent", sequence: 2 });
    await stack.publish(later);
    await start();
    await waitFor(
      () =>
        stack.attemptsOf(later.messageId).length === 1 &&
        stack.attemptsOf(retried.messageId).length === 2,
      {
        what: "both reports after the restart",
      },
    );
    expect(
      verify(secrets[0] ?? "", hook.requests.find((r) => r.url === "/later") as Received),
    ).toMatchObject({
      status: "sent",
      sequence: 2,
    });
    expect(
      stack.attemptsOf(retried.messageId).map((a) => [a.data.attempt, a.data.outcome]),
    ).toEqual([
      [1, "retrying"],
      [2, "delivered"],
    ]);
  });
});

// The SSRF guard on (the production default).
describe("dlr-dispatcher refusing private callback URLs", () => {
  let stack: Stack;
  let hook: Receiver;
  const lookups: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: "false" });
    await stack.putAccount(account("acc_1", [newSecret()]));
    stack.dispatcher = await startDlrDispatcher(stack.config, pino({ level: "silent" }), {
      // A name that answers loopback, as a rebinding attacker's DNS would at connect time.
      resolve: async (host) => {
        lookups.push(host);
        if (host === "rebind.test") return [{ address: "127.0.0.1", family: 4 }];
        if (host === "mixed.test")
          return [
            { address: "93.184.216.34", family: 4 },
            { address: "169.254.169.254", family: 4 },
          ];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      },
    });
    hook = await startReceiver();
  });
  afterAll(async () => {
    await hook?.close();
    await stack?.close();
  });

  it("when a callback URL is or resolves to a forbidden address, nothing is sent and the attempt is given up with the reason", async () => {
    const port = new URL(hook.url).port;
    const cases = {
      literal: statusChange("acc_1", `${hook.url}/hook`),
      localhost: statusChange("acc_1", `http://localhost:${port}/hook`),
      rebind: statusChange("acc_1", `http://rebind.test:${port}/hook`),
      metadata: statusChange("acc_1", `http://mixed.test:${port}/hook`),
      scheme: statusChange("acc_1", "ftp://example.com/hook"),
    };
    await stack.publish(...Object.values(cases));
    await waitFor(() => stack.attempts.length === 5, { what: "five refusals" });
    expect(hook.requests).toEqual([]);
    const errorOf = (key: keyof typeof cases) => {
      const data = stack.attemptsOf(cases[key].messageId)[0]?.data;
      expect(data).toMatchObject({ outcome: "gave_up", httpStatus: null });
      return data?.error;
    };
    expect(errorOf("literal")).toBe("refused: 127.0.0.1 is a loopback address");
    expect(errorOf("localhost")).toBe("refused: localhost is a loopback address");
    expect(errorOf("rebind")).toBe("refused: rebind.test resolves to a non-public address");
    expect(errorOf("metadata")).toBe("refused: mixed.test resolves to a non-public address");
    expect(errorOf("scheme")).toMatch(/^refused: scheme ftp is not allowed/);
    // Resolved once, by the connection itself: no earlier check that a second lookup could contradict.
    expect(lookups.filter((h) => h === "rebind.test")).toHaveLength(1);
  });
});
