import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDlrDispatcher } from "./service.ts";
import {
  account,
  newSecret,
  type Receiver,
  type Stack,
  silentLog,
  startReceiver,
  startStack,
  statusChange,
} from "./test-stack.ts";

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The README's verification snippet, exactly as printed (the js block between the markers). */
function readmeSnippet(readme: string): string {
  const section = /<!-- verify-snippet:start[^>]*-->([\s\S]*?)<!-- verify-snippet:end -->/.exec(
    readme,
  )?.[1];
  const code = section && /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error("README.md has no verify-snippet block");
  return code;
}

describe("the README's verification snippet, run as a customer would run it", () => {
  let stack: Stack;
  let capture: Receiver;
  let snippet: ChildProcess;
  let output = "";
  let snippetUrl = "";
  const secret = newSecret();

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: "true" });
    await stack.putAccount(account("acc_1", [secret]));
    stack.dispatcher = await startDlrDispatcher(stack.config, silentLog);
    capture = await startReceiver();

    // Inside the package's node_modules, so `import "standardwebhooks"` resolves as in a customer's project.
    const file = join(serviceDir, "node_modules", ".readme-snippet", "receiver.mjs");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, readmeSnippet(readFileSync(join(serviceDir, "README.md"), "utf8")));
    const port = await freePort();
    snippetUrl = `http://127.0.0.1:${port}`;
    snippet = spawn(process.execPath, [file], {
      env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    snippet.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    await waitFor(
      async () =>
        (await fetch(snippetUrl, { method: "POST", body: "{}" }).catch(() => null))?.status === 400,
      {
        what: "the snippet's receiver to listen",
      },
    );
  });
  afterAll(async () => {
    snippet?.kill();
    await capture?.close();
    await stack?.close();
  });

  it("when the dispatcher sends a report to the snippet, it verifies and answers 2xx: delivered", async () => {
    const change = statusChange("acc_1", `${snippetUrl}/dlr`);
    await stack.publish(change);
    await waitFor(() => stack.attemptsOf(change.messageId).length === 1, { what: "the attempt" });
    expect(stack.attemptsOf(change.messageId)[0]?.data).toMatchObject({
      httpStatus: 204,
      outcome: "delivered",
    });
    await waitFor(() => output.includes(change.messageId), {
      what: "the snippet to log the report",
    });
  });

  it("when a real report is replayed to the snippet untouched it verifies; with a tampered body it is rejected", async () => {
    const change = statusChange("acc_1", `${capture.url}/dlr`);
    await stack.publish(change);
    await waitFor(() => capture.requests.length === 1, { what: "the captured report" });
    const report = capture.requests[0];
    if (!report) throw new Error("no report");
    const headers = Object.fromEntries(
      Object.entries(report.headers).filter(
        ([name]) => name.startsWith("webhook-") || name === "content-type",
      ),
    ) as Record<string, string>;
    const replay = (body: string) =>
      fetch(snippetUrl, { method: "POST", headers, body }).then((r) => r.status);
    expect(await replay(report.body.replace('"cost":0.042', '"cost":0'))).toBe(400);
    expect(await replay(report.body.replace('"status":"delivered"', '"status":"failed"'))).toBe(
      400,
    );
    expect(await replay(report.body)).toBe(204);
  });
});
