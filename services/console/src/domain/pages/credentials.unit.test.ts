import { describe, expect, it } from "vitest";
import { credentialsPage, testWebhookResult } from "./credentials.ts";

describe("the test webhook's answer on the credentials page", () => {
  it("when the endpoint answered 2xx, it says delivered with the status and latency", () => {
    const page = testWebhookResult({
      outcome: "attempted",
      endpoint: "https://hooks.example.com/r",
      messageId: "msg_test_01JDZ6Q1ZK8Y0V3N5W7X9A2B4C",
      httpStatus: 204,
      error: null,
      latencyMs: 12.34,
      delivered: true,
    }).value;
    expect(page).toContain("Delivered");
    expect(page).toContain('<dd id="test-webhook-status">204</dd>');
    expect(page).toContain("12.3 ms");
  });

  it("when the attempt failed or nothing was sent, it says why, escaped", () => {
    const failed = testWebhookResult({
      outcome: "attempted",
      endpoint: "http://10.0.0.5/r",
      messageId: "msg_test_01JDZ6Q1ZK8Y0V3N5W7X9A2B4C",
      httpStatus: null,
      error: "refused: 10.0.0.5 is a private address",
      latencyMs: 0,
      delivered: false,
    }).value;
    expect(failed).toContain("Not delivered");
    expect(failed).toContain("refused: 10.0.0.5 is a private address");
    const notSent = testWebhookResult({ outcome: "not_sent", reason: "<b>no URL</b>" }).value;
    expect(notSent).toContain("Test webhook not sent: &lt;b&gt;no URL&lt;/b&gt;.");
  });
});

describe("the credentials page's rotate form", () => {
  it("when it is shown, it asks for the current password, and both rotations post it", () => {
    const page = credentialsPage(
      { csrf: "tok", email: "a@example.com" },
      { hash: "h1", apiUrl: "http://api", callbackUrl: null },
    ).value;
    const form = /<form method="post" action="\/credentials\/rotate-token"[\s\S]*?<\/form>/.exec(
      page,
    )?.[0];
    expect(form).toContain(
      '<input id="rotate-password" name="password" type="password" autocomplete="current-password" required>',
    );
    expect(form).toContain('formaction="/credentials/rotate-webhook-secret"');
    expect(page).not.toMatch(/\saction="\/credentials\/rotate-webhook-secret"/);
  });
});
