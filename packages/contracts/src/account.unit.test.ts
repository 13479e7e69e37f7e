import { describe, expect, it } from "vitest";
import { AccountRecord } from "./account.ts";
import { subjects } from "./subjects.ts";

const older = {
  accountId: "acc_1",
  hash: "h1",
  tokenSha256: "a".repeat(64),
  status: "active",
  currency: "EUR",
  test: true,
  webhookSecrets: ["whsec_dGVzdA=="],
  updatedAt: "2026-11-25T06:00:00.000Z",
};

describe("AccountRecord changes additively", () => {
  it("when a record from before defaultCallbackUrl is read, it parses without one", () => {
    expect(AccountRecord.parse(older).defaultCallbackUrl).toBeUndefined();
  });

  it("when a record carries a default callback URL or null, it is kept", () => {
    const url = "https://hooks.example.com/r";
    expect(AccountRecord.parse({ ...older, defaultCallbackUrl: url }).defaultCallbackUrl).toBe(url);
    expect(AccountRecord.parse({ ...older, defaultCallbackUrl: null }).defaultCallbackUrl).toBe(
      null,
    );
  });

  it("when the dispatcher's test-webhook subject is named, it hangs off the prefix", () => {
    expect(subjects("t1").testWebhook).toBe("t1.rpc.dispatcher.test_webhook");
  });
});
