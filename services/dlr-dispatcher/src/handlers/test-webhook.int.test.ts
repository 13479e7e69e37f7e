import {
  type TestWebhookResponse as Answer,
  subjects as subjectsFor,
  TestWebhookResponse,
} from "@smsgw/contracts";
import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDlrDispatcher } from "../service.ts";
import {
  account,
  newSecret,
  type Receiver,
  type Stack,
  silentLog,
  startReceiver,
  startStack,
  statusChange,
  verify,
} from "../test-stack.ts";

/** The console's request, over real NATS, to a dispatcher started on its own prefix. */
async function askTest(stack: Stack, accountId: string): Promise<Answer> {
  const reply = await stack.messaging.nats.nc.request(
    subjectsFor(stack.infra.prefix).testWebhook,
    JSON.stringify({ accountId }),
    { timeout: 10_000 },
  );
  return TestWebhookResponse.parse(reply.json());
}

describe("a test webhook, with private callbacks allowed (local receivers)", () => {
  let stack: Stack;
  let receiver: Receiver;
  let hanging: Receiver;
  const current = newSecret();
  const previous = newSecret();

  beforeAll(async () => {
    // Long enough for the answering receiver's attempts on a busy machine, short enough that
    // the hanging one's timeout comes soon.
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_TIMEOUT_MS: "2000" });
    stack.dispatcher = await startDlrDispatcher(stack.config, silentLog);
    receiver = await startReceiver(() => 204);
    hanging = await startReceiver(() => "hang");
  });
  afterAll(async () => {
    await receiver?.close();
    await hanging?.close();
    await stack?.close();
  });

  it("when asked, it POSTs a test report signed with the account's current secrets to its default URL and answers the attempt", async () => {
    await stack.putAccount({
      ...account("acc_t1", [current, previous]),
      defaultCallbackUrl: `${receiver.url}/hooks?k=secret`,
    });
    const answer = await waitFor(async () => {
      const a = await askTest(stack, "acc_t1");
      return a.outcome === "attempted" ? a : undefined;
    });
    expect(answer).toMatchObject({
      outcome: "attempted",
      endpoint: `${receiver.url}/hooks`,
      httpStatus: 204,
      error: null,
      delivered: true,
      messageId: expect.stringMatching(/^msg_test_[0-9A-Z]{26}$/),
    });
    expect(answer.outcome === "attempted" && answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    if (!request) throw new Error("no request");
    expect(request.url).toBe("/hooks?k=secret");
    // Either secret of the rotation verifies it, as for a real report.
    const report = verify(current, request) as Record<string, unknown>;
    expect(verify(previous, request)).toEqual(report);
    expect(report).toMatchObject({ test: true, status: "delivered", sequence: 0 });
    expect(answer.outcome === "attempted" && report.messageId).toBe(answer.messageId);
    expect(request.headers["webhook-id"]).toBe(`${report.messageId}:test`);
    expect(() => verify(newSecret(), request)).toThrow();
  });

  it("when the receiver hangs, the answer is the timeout of a real attempt; nothing is recorded as an event", async () => {
    await stack.putAccount({
      ...account("acc_t2", [current]),
      defaultCallbackUrl: `${hanging.url}/slow`,
    });
    const answer = await waitFor(async () => {
      const a = await askTest(stack, "acc_t2");
      return a.outcome === "attempted" ? a : undefined;
    });
    expect(answer).toMatchObject({
      httpStatus: null,
      error: "timeout after 2000 ms",
      delivered: false,
    });
    // A real report published after the tests: its attempt is the only WebhookAttempted.
    const real = statusChange("acc_t1", `${receiver.url}/real`);
    await stack.publish(real);
    await waitFor(() => stack.attemptsOf(real.messageId).length === 1);
    expect(stack.attempts.map((a) => a.messageId)).toEqual([real.messageId]);
  });

  it("when the account has no default URL or is unknown, nothing is sent and it says why", async () => {
    await stack.putAccount(account("acc_t3", [current]));
    await waitFor(async () => {
      const a = await askTest(stack, "acc_t3");
      return a.outcome === "not_sent" && /no default callback URL/.test(a.reason);
    });
    expect(await askTest(stack, "acc_nobody")).toMatchObject({ outcome: "not_sent" });
    const bad = await stack.messaging.nats.nc.request(
      subjectsFor(stack.infra.prefix).testWebhook,
      "not json",
      { timeout: 5_000 },
    );
    expect(TestWebhookResponse.parse(bad.json()).outcome).toBe("error");
  });
});

describe("a test webhook, without WEBHOOK_ALLOW_PRIVATE", () => {
  let stack: Stack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startStack({});
    stack.dispatcher = await startDlrDispatcher(stack.config, silentLog);
    receiver = await startReceiver(() => 204);
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it("when the default URL is a loopback or private address, it is refused and nothing is sent", async () => {
    const loopbackName = receiver.url.replace("127.0.0.1", "localhost");
    for (const [id, url] of [
      ["acc_p1", `${receiver.url}/hook`],
      ["acc_p2", `${loopbackName}/hook`],
      ["acc_p3", "http://10.0.0.5/hook"],
    ] as const) {
      await stack.putAccount({ ...account(id, [newSecret()]), defaultCallbackUrl: url });
      const answer = await waitFor(async () => {
        const a = await askTest(stack, id);
        return a.outcome === "attempted" ? a : undefined;
      });
      expect(answer, url).toMatchObject({
        httpStatus: null,
        delivered: false,
        error: expect.stringMatching(/^refused: .*(loopback|private)/),
      });
    }
    expect(receiver.requests).toHaveLength(0);
  });
});
