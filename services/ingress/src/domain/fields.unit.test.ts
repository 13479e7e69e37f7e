import { describe, expect, it } from "vitest";
import { checkCallbackUrl, readSendFields } from "./fields.ts";

const valid = {
  hash: "h1",
  token: "t1",
  toNumber: "+37256789045",
  fromNumber: "MyApp",
  text: "Hello",
};
const read = (query: unknown, body?: unknown, maxParts = 10) =>
  readSendFields(query, body, { maxParts });

function problem(query: unknown, body?: unknown, maxParts = 10): string {
  const result = read(query, body, maxParts);
  if (result.ok) throw new Error("expected a refusal");
  expect(result.error.status).toBe("invalid_params");
  return result.error.message;
}

describe("readSendFields", () => {
  it("when all fields are in the query, it reads them", () => {
    const result = read(valid);
    expect(result).toEqual({
      ok: true,
      value: { ...valid, callbackUrl: null, callbackStatuses: null },
    });
  });

  it("when the body and the query both carry a field, the body wins", () => {
    const result = read({ ...valid, text: "from query" }, { text: "from body" });
    expect(result.ok && result.value.text).toBe("from body");
  });

  it("when a field is only in the query of a POST, it is taken from there", () => {
    const { hash, token, ...rest } = valid;
    const result = read({ hash, token }, rest);
    expect(result.ok && result.value.hash).toBe("h1");
  });

  it.each(["hash", "token", "toNumber", "fromNumber", "text"])(
    "when %s is missing, the message names it",
    (field) => {
      const fields: Record<string, string> = { ...valid };
      delete fields[field];
      expect(problem(fields)).toBe(`${field} is missing`);
    },
  );

  it("when a field is empty, the message names it", () => {
    expect(problem({ ...valid, text: "" })).toBe("text is empty");
    expect(problem({ ...valid, hash: "" })).toBe("hash is empty");
  });

  it("when a body field is empty, it does not fall back to the query", () => {
    expect(problem(valid, { text: "" })).toBe("text is empty");
  });

  it("when a field is given twice in the query or as a JSON list, it is refused saying both", () => {
    const twice = "text must be one string, not several (given twice, or as a list)";
    expect(problem({ ...valid, text: ["a", "b"] })).toBe(twice);
    // A JSON body's list was not "given more than once": the message fits it too.
    expect(problem({}, { ...valid, text: ["hello"] })).toBe(twice);
    expect(problem({ ...valid, callbackUrl: ["https://a.example/", "https://b.example/"] })).toBe(
      "callbackUrl must be one string, not several (given twice, or as a list)",
    );
  });

  it("when a JSON field is not a string, it is refused naming it", () => {
    expect(problem({}, { ...valid, toNumber: 37256789045 })).toBe("toNumber must be a string");
    expect(problem({}, { ...valid, text: { a: 1 } })).toBe("text must be a string");
    expect(problem({}, { ...valid, fromNumber: true })).toBe("fromNumber must be a string");
    expect(problem({}, { ...valid, token: null })).toBe("token is missing");
  });

  it("when the body is not an object, it is refused", () => {
    expect(problem({}, [valid])).toBe("body must be a JSON object or form fields");
    expect(problem({}, "text")).toBe("body must be a JSON object or form fields");
  });

  it("when several fields are wrong, the first in order is named", () => {
    expect(problem({ text: "" })).toBe("hash is missing");
  });

  it("when a field comes only from the prototype, it is not read", () => {
    const query = Object.create({ hash: "h1" }) as Record<string, string>;
    Object.assign(query, { ...valid, hash: undefined });
    delete query.hash;
    expect(problem(query)).toBe("hash is missing");
  });

  it("when text is longer than the part limit can hold in any encoding, it is refused by its length", () => {
    expect(problem({ ...valid, text: "a".repeat(153 * 3 + 1) }, undefined, 3)).toBe(
      "text is 460 characters long; the limit is 3 parts (at most 459 characters)",
    );
    expect(problem({ ...valid, text: "x".repeat(64 * 1024) })).toMatch(
      /^text is 65536 characters long; the limit is 10 parts/,
    );
  });

  it("when text is within the length bound, its parts are not counted here (that waits for authentication)", () => {
    // 11 UCS-2 parts, but short enough to need the splitter to tell: the fields pass.
    const result = read({ ...valid, text: "ж".repeat(67 * 10 + 1) });
    expect(result.ok).toBe(true);
  });

  it("when the callback URL is bad, it is refused after the required fields", () => {
    expect(problem({ ...valid, callbackUrl: "ftp://x.example" })).toBe(
      "callbackUrl must be an absolute http or https URL",
    );
    expect(problem({ text: "", callbackUrl: "bad" })).toBe("hash is missing");
  });

  it("when the callback URL is valid, it is kept", () => {
    const result = read({ ...valid, callbackUrl: "https://hooks.example/dlr?x=1" });
    expect(result.ok && result.value.callbackUrl).toBe("https://hooks.example/dlr?x=1");
  });

  it("when callbackStatuses is in the query or the body, it is expanded; the body wins", () => {
    expect(read({ ...valid, callbackStatuses: "final" })).toMatchObject({
      ok: true,
      value: { callbackStatuses: ["delivered", "undelivered", "expired", "failed"] },
    });
    const both = read({ ...valid, callbackStatuses: "final" }, { callbackStatuses: "sent" });
    expect(both.ok && both.value.callbackStatuses).toEqual(["sent"]);
  });

  it("when callbackStatuses asks for queued or is given twice, it is refused after the required fields", () => {
    expect(problem({ ...valid, callbackStatuses: "queued" })).toMatch(
      /^callbackStatuses cannot ask for queued/,
    );
    expect(problem({ ...valid, callbackStatuses: ["sent", "final"] })).toBe(
      "callbackStatuses must be one comma-separated string, not several (given twice, or as a list)",
    );
    expect(problem({ text: "", callbackStatuses: "queued" })).toBe("hash is missing");
  });
});

describe("checkCallbackUrl", () => {
  it("when it is absent or empty, there is no callback", () => {
    expect(checkCallbackUrl(undefined)).toEqual({ ok: true, value: null });
    expect(checkCallbackUrl("")).toEqual({ ok: true, value: null });
  });

  it.each(["http://a.example/x", "https://a.example:8443/dlr", "http://93.184.216.34:9000/"])(
    "when it is %s, it is accepted",
    (url) => {
      expect(checkCallbackUrl(url)).toEqual({ ok: true, value: url });
    },
  );

  it("when it names a loopback address, it is refused saying why, unless private targets are allowed", () => {
    expect(checkCallbackUrl("http://127.0.0.1:9000/")).toEqual({
      ok: false,
      error: {
        status: "invalid_params",
        message: "callbackUrl is refused: 127.0.0.1 is a loopback address",
      },
    });
    expect(checkCallbackUrl("http://127.0.0.1:9000/", true)).toEqual({
      ok: true,
      value: "http://127.0.0.1:9000/",
    });
  });

  it.each([
    ["not a url", "must be an absolute http or https URL"],
    ["/relative/path", "must be an absolute http or https URL"],
    ["javascript:alert(1)", "must be an absolute http or https URL"],
    ["file:///etc/passwd", "must be an absolute http or https URL"],
    [`https://a.example/${"x".repeat(2048)}`, "longer than 2048 characters"],
  ])("when it is %s, it is refused", (url, reason) => {
    const result = checkCallbackUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(reason);
  });

  it("when it is exactly 2048 characters, it is accepted", () => {
    const url = `https://a.example/${"x".repeat(2048 - "https://a.example/".length)}`;
    expect(url).toHaveLength(2048);
    expect(checkCallbackUrl(url).ok).toBe(true);
  });

  it("when it is an array or a number, it is refused", () => {
    expect(checkCallbackUrl(["http://a", "http://b"]).ok).toBe(false);
    expect(checkCallbackUrl(42).ok).toBe(false);
  });
});
