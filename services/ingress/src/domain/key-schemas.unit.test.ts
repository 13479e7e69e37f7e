import { describe, expect, it } from "vitest";
import { describeIssue } from "./api-schemas.ts";
import { CreateApiKey } from "./key-schemas.ts";

describe("CreateApiKey", () => {
  it("when the name is text, the key is read", () => {
    expect(CreateApiKey.safeParse({ name: " billing ", scopes: ["send"] }).data).toEqual({
      name: "billing",
      scopes: ["send"],
    });
  });

  it("when the name holds a NUL or a lone surrogate, it is refused naming name (pricing's jsonb cannot hold it)", () => {
    for (const name of ["bill\u0000ing", "half \ud83d"]) {
      const parsed = CreateApiKey.safeParse({ name, scopes: ["send"] });
      expect(parsed.success).toBe(false);
      expect(parsed.error && describeIssue(parsed.error)).toMatch(/^name contains/);
    }
  });
});
