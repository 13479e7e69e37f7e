import { randomBytes } from "node:crypto";
import { createLogger } from "@smsgw/service-kit";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { Job } from "../db/jobs.ts";
import type { ReportedChange } from "../domain/report.ts";
import { account, statusChange } from "../test-stack.ts";
import type { SigningAccount } from "./accounts.ts";
import { ACCOUNT_WAIT_MS, type DeliverDeps, deliver } from "./deliver.ts";
import type { PostResult } from "./pinned-post.ts";

const secret = () => `whsec_${randomBytes(24).toString("base64")}`;
// Real time: verification refuses timestamps more than 5 minutes off.
const now = new Date();

function jobFor(accountId: string, url = "https://hooks.example.com/dlr", attempts = 0): Job {
  const change = statusChange(accountId, url, { occurredAt: now.toISOString() }) as ReportedChange;
  return {
    messageId: change.messageId,
    sequence: change.sequence,
    accountId,
    origin: "https://hooks.example.com",
    change,
    attempts,
  };
}

function depsWith(
  accounts: SigningAccount[],
  answer: PostResult = { httpStatus: 200, error: null, latencyMs: 3 },
) {
  const sent: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const deps: DeliverDeps = {
    accounts: { byAccountId: (id) => accounts.find((a) => a.accountId === id) },
    post: async (url, headers, body) => {
      sent.push({ url: url.toString(), headers, body });
      return answer;
    },
    policy: { capMs: 300_000, windowMs: 86_400_000 },
    log: createLogger("test", "silent"),
    now: () => now,
    random: () => 0,
  };
  return { deps, sent };
}

describe("one delivery", () => {
  it("when two accounts exist, a job is signed with its own account's secrets only", async () => {
    const mine = account("acc_1", [secret()]);
    const theirs = account("acc_2", [secret()]);
    const { deps, sent } = depsWith([mine, theirs]);
    await deliver(deps, jobFor("acc_2"));
    const [request] = sent;
    if (!request) throw new Error("nothing sent");
    expect(() =>
      new Webhook(theirs.webhookSecrets[0] ?? "").verify(request.body, request.headers),
    ).not.toThrow();
    expect(() =>
      new Webhook(mine.webhookSecrets[0] ?? "").verify(request.body, request.headers),
    ).toThrow();
  });

  it("when the account is unknown, nothing is sent or recorded and the job waits", async () => {
    const { deps, sent } = depsWith([]);
    const job = jobFor("acc_x");
    const result = await deliver(deps, job);
    expect(sent).toEqual([]);
    expect(result.event).toBeUndefined();
    expect(result.settlement).toEqual({
      kind: "retry",
      job,
      attempts: 0,
      dueAt: new Date(now.getTime() + ACCOUNT_WAIT_MS),
    });
  });

  it("when the account is still unknown past the retry window, the report is given up and its trail says why; nothing is sent", async () => {
    const { deps, sent } = depsWith([]);
    deps.now = () => new Date(now.getTime() + 86_400_000);
    const job = jobFor("acc_x");
    const result = await deliver(deps, job);
    expect(sent).toEqual([]);
    expect(result.settlement).toEqual({ kind: "done", job });
    expect(result.event?.data).toMatchObject({
      outcome: "gave_up",
      error: "not signed: the account is unknown",
    });
  });

  it("when the account's secret cannot sign, the report waits, and past the retry window it is given up", async () => {
    const { deps, sent } = depsWith([account("acc_1", ["whsec_not-base64!"])]);
    const job = jobFor("acc_1");
    expect((await deliver(deps, job)).settlement.kind).toBe("retry");
    deps.now = () => new Date(now.getTime() + 86_400_000);
    const late = await deliver(deps, job);
    expect(sent).toEqual([]);
    expect(late.settlement).toEqual({ kind: "done", job });
    expect(late.event?.data).toMatchObject({
      outcome: "gave_up",
      error: "not signed: the account's secret is unusable",
    });
  });

  it("when the receiver fails, the attempt is recorded as retrying, the job rescheduled, and the origin marked failed", async () => {
    const { deps } = depsWith([account("acc_1", [secret()])], {
      httpStatus: 503,
      error: null,
      latencyMs: 4,
    });
    const result = await deliver(deps, jobFor("acc_1", undefined, 2));
    expect(result.event?.data).toMatchObject({ attempt: 3, httpStatus: 503, outcome: "retrying" });
    expect(result.settlement).toMatchObject({
      kind: "retry",
      attempts: 3,
      dueAt: new Date(now.getTime() + 4_000),
    });
    expect(result.originFailed).toBe(true);
  });

  it("when the guard refuses the destination or the URL is invalid, the job is given up with the reason", async () => {
    const refused = depsWith([account("acc_1", [secret()])], {
      httpStatus: null,
      error: null,
      latencyMs: 0,
      refused: "x.test resolves to a non-public address",
    });
    const byGuard = await deliver(refused.deps, jobFor("acc_1"));
    expect(byGuard.event?.data).toMatchObject({
      outcome: "gave_up",
      error: "refused: x.test resolves to a non-public address",
    });
    expect(byGuard.settlement.kind).toBe("done");

    const { deps, sent } = depsWith([account("acc_1", [secret()])]);
    const byUrl = await deliver(deps, jobFor("acc_1", "https://user:pw@hooks.example.com/"));
    expect(sent).toEqual([]);
    expect(byUrl.event?.data).toMatchObject({
      outcome: "gave_up",
      endpoint: "(invalid url)",
      error: expect.stringMatching(/user info/),
    });
  });
});
