import { describe, expect, it } from "vitest";
import { hostOfEndpoint, isolationKey } from "./endpoint.ts";

describe("the host of an endpoint", () => {
  it("when the callback path names the message, every report is its own endpoint but all share one host", () => {
    const keys = ["msg_1", "msg_2"].map((id) =>
      isolationKey(`https://hooks.example.com/dlr/${id}`),
    );
    expect(new Set(keys).size).toBe(2);
    expect(keys.map(hostOfEndpoint)).toEqual([
      "https://hooks.example.com",
      "https://hooks.example.com",
    ]);
  });

  it("when the URL has a port, upper-case letters or a query, the host is scheme, host and port as the key has them", () => {
    expect(hostOfEndpoint(isolationKey("https://Hooks.Example.com:8443/dlr/in?token=s3cret"))).toBe(
      "https://hooks.example.com:8443",
    );
    expect(hostOfEndpoint(isolationKey("http://[2606:4700::1]:8080/x/y"))).toBe(
      "http://[2606:4700::1]:8080",
    );
    expect(hostOfEndpoint("http://a.example")).toBe("http://a.example");
  });

  it("when the URL did not parse, its key is its own host", () => {
    expect(hostOfEndpoint(isolationKey("not a url"))).toBe("(invalid)");
  });
});
