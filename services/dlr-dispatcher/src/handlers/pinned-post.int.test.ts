import { afterAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../test-stack.ts";
import { createPoster, redirectError } from "./pinned-post.ts";

const headers = { "content-type": "application/json" };

describe("the pinned POST", () => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  it("when a name is resolved, the socket connects to exactly the address the hook resolved, once", async () => {
    const hook = await startReceiver();
    receivers.push(hook);
    const port = new URL(hook.url).port;
    const answers = [
      [{ address: "127.0.0.1", family: 4 }],
      [{ address: "10.255.255.1", family: 4 }], // what a second lookup would say: a black hole
    ];
    let calls = 0;
    const poster = createPoster({
      timeoutMs: 1_000,
      allowPrivate: true,
      resolve: async () => answers[Math.min(calls++, 1)] ?? [],
    });
    const result = await poster.post(new URL(`http://pinned.test:${port}/x`), headers, "{}");
    poster.close();
    expect(result).toMatchObject({ httpStatus: 200, error: null });
    expect(calls).toBe(1);
    expect(hook.requests[0]?.headers.host).toBe(`pinned.test:${port}`);
  });

  it("when the receiver does not answer in time, the attempt ends with a timeout at the deadline", async () => {
    const hook = await startReceiver(() => "hang");
    receivers.push(hook);
    const poster = createPoster({ timeoutMs: 300, allowPrivate: true });
    const started = Date.now();
    const result = await poster.post(new URL(`${hook.url}/slow`), headers, "{}");
    poster.close();
    expect(result).toMatchObject({ httpStatus: null, error: "timeout after 300 ms" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("when the receiver answers 429 or 503 with Retry-After, the attempt carries it; other answers do not", async () => {
    const answers = [
      { status: 429, headers: { "retry-after": "7" } },
      { status: 503, headers: { "retry-after": "Fri, 01 Jan 2100 00:00:00 GMT" } },
      { status: 500, headers: { "retry-after": "7" } },
    ];
    const hook = await startReceiver((n) => answers[n] ?? 200);
    receivers.push(hook);
    const poster = createPoster({ timeoutMs: 1_000, allowPrivate: true });
    const results = [];
    for (let i = 0; i < answers.length; i++) {
      results.push(await poster.post(new URL(`${hook.url}/busy`), headers, "{}"));
    }
    poster.close();
    expect(results[0]).toMatchObject({ httpStatus: 429, retryAfterMs: 7_000 });
    expect(results[1]?.retryAfterMs).toBeGreaterThan(365 * 86_400_000);
    expect(results[2]).toMatchObject({ httpStatus: 500 });
    expect(results[2]?.retryAfterMs).toBeUndefined();
  });

  it("when nothing listens, the attempt records the connection error", async () => {
    const poster = createPoster({ timeoutMs: 1_000, allowPrivate: true });
    const result = await poster.post(new URL("http://127.0.0.1:1/x"), headers, "{}");
    poster.close();
    expect(result.httpStatus).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it("when a literal address is forbidden, nothing is sent and the reason is given", async () => {
    const poster = createPoster({ timeoutMs: 1_000, allowPrivate: false });
    const result = await poster.post(
      new URL("http://[::ffff:169.254.169.254]/latest"),
      headers,
      "{}",
    );
    poster.close();
    expect(result.refused).toMatch(/metadata address/);
  });
});

describe("redirect errors", () => {
  const base = new URL("https://hooks.example.com/dlr");
  it("when the answer is a redirect, where it points is recorded, and a forbidden target is named", () => {
    expect(redirectError(200, undefined, base)).toBeNull();
    expect(redirectError(301, "https://new.example.com/dlr?x=1", base)).toBe(
      "redirect (301) to https://new.example.com/dlr not followed",
    );
    expect(redirectError(307, "http://169.254.169.254/latest", base)).toBe(
      "redirect (307) to http://169.254.169.254/latest not followed: refused, 169.254.169.254 is a metadata address",
    );
    expect(redirectError(302, undefined, base)).toBe("redirect (302) not followed");
    expect(redirectError(302, "gopher://x", base)).toBe("redirect (302) to gopher: not followed");
  });
});
