import { describe, expect, it } from "vitest";
import { callbackUrlOf } from "./accepted-event.ts";

describe("callbackUrlOf", () => {
  it("when the request names a callbackUrl, it wins over the account's default", () => {
    expect(callbackUrlOf("https://own.example/r", "https://default.example/r")).toBe(
      "https://own.example/r",
    );
  });
  it("when the request names none, the account's default is used, else none", () => {
    expect(callbackUrlOf(null, "https://default.example/r")).toBe("https://default.example/r");
    expect(callbackUrlOf(null, null)).toBeNull();
    expect(callbackUrlOf(null, undefined)).toBeNull();
  });
});
