import { describe, expect, it } from "vitest";
import { splitUrl } from "./front-door.ts";

describe("splitUrl", () => {
  it("when the URL is in origin form, gives its path and the query as express's simple parser does", () => {
    expect(splitUrl("/?hash=h&token=t&text=a%20b&to=1&to=2")).toEqual({
      path: "/",
      query: { hash: "h", token: "t", text: "a b", to: ["1", "2"] },
    });
    expect(splitUrl("/v1/messages")).toEqual({ path: "/v1/messages", query: {} });
  });

  it("when the URL has a fragment or is not in origin form, leaves it to express (no path, no query)", () => {
    expect(splitUrl("/?hash=h&token=t&text=a#b")).toEqual({ path: "", query: {} });
    expect(splitUrl("http://example.com/?hash=h")).toEqual({ path: "", query: {} });
  });
});
