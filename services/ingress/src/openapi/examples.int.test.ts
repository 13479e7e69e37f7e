import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";
import { COMPATIBLE_SEND, type CodeSample, V1_FORMAT, V1_SEND } from "./examples.ts";

/**
 * The docs' code samples, run as written against a live ingress (only the base URL and the
 * credentials are filled in): the api.md client that sends the compatible GET with the
 * fields in a query string and reads `status` and `messageId` works in curl, JavaScript
 * (fetch) and Python.
 */

const run = promisify(execFile);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function runSample(sample: CodeSample): Promise<string> {
  const source = sample.source
    .replaceAll("http://127.0.0.1:8080", h.base)
    .replaceAll("HASH", h.account.hash)
    .replaceAll("TOKEN", h.account.token);
  const options = { timeout: 20_000 };
  if (sample.lang === "curl") return (await run("sh", ["-c", source], options)).stdout;
  if (sample.lang === "Python") return (await run("python3", ["-c", source], options)).stdout;
  return (await run(process.execPath, ["--input-type=module", "-e", source], options)).stdout;
}

const byLang = (samples: CodeSample[], lang: CodeSample["lang"]) => {
  const sample = samples.find((s) => s.lang === lang);
  if (!sample) throw new Error(`no ${lang} sample`);
  return sample;
};

describe("the docs' examples, run as written", () => {
  it("when the compatible curl line runs, it answers success with a messageId", async () => {
    const out = JSON.parse(await runSample(byLang(COMPATIBLE_SEND, "curl")));
    expect(out).toMatchObject({ status: "success", messageId: expect.stringMatching(/^msg_/) });
  });

  it.each(["JavaScript", "Python"] as const)(
    "when the compatible %s client runs, it reads status and messageId",
    async (lang) => {
      const out = await runSample(byLang(COMPATIBLE_SEND, lang));
      expect(out.trim()).toMatch(/^sent msg_[0-9A-Z]{26}$/);
    },
  );

  it("when the v1 samples run in every language with one Idempotency-Key, they share one message", async () => {
    const before = await h.streamMessages();
    const curl = JSON.parse(await runSample(byLang(V1_SEND, "curl")));
    expect(curl).toMatchObject({ status: "queued", reference: "order-1234" });
    const js = (await runSample(byLang(V1_SEND, "JavaScript"))).trim();
    const py = (await runSample(byLang(V1_SEND, "Python"))).trim();
    expect(js).toBe(`202 ${curl.messageId} queued`);
    expect(py).toBe(`202 ${curl.messageId} queued`);
    expect(await h.streamMessages()).toBe(before + 1);
  }, 30_000);

  it("when the formatter sample runs, it answers E.164", async () => {
    const out = JSON.parse(await runSample(byLang(V1_FORMAT, "curl")));
    expect(out.e164).toBe("+37256789045");
  });
});
