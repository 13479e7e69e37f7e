import { describe, expect, it } from "vitest";
import { parseBasic, readCredentials } from "./credentials.ts";

const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

describe("readCredentials", () => {
  it("when HTTP Basic is given, it reads hash:token (the token may hold colons)", () => {
    expect(readCredentials(basic("h1:t:1"), {})).toEqual({ hash: "h1", token: "t:1" });
  });

  it("when the Authorization header is present, the query is not consulted", () => {
    expect(readCredentials("Bearer x", { hash: "h", token: "t" })).toBeNull();
  });

  it("when only query fields are given, it reads them", () => {
    expect(readCredentials(undefined, { hash: "h", token: "t" })).toEqual({
      hash: "h",
      token: "t",
    });
  });

  it("when a query field is missing, empty or repeated, there are no credentials", () => {
    expect(readCredentials(undefined, { hash: "h" })).toBeNull();
    expect(readCredentials(undefined, { hash: "h", token: "" })).toBeNull();
    expect(readCredentials(undefined, { hash: "h", token: ["a", "b"] })).toBeNull();
  });

  it("when Basic is malformed, there are no credentials", () => {
    expect(parseBasic(basic("no-colon"))).toBeNull();
    expect(parseBasic(basic(":token"))).toBeNull();
    expect(parseBasic(basic("hash:"))).toBeNull();
    expect(parseBasic("Basic !!!")).toBeNull();
    expect(parseBasic("basic   ")).toBeNull();
  });
});
