import { describe, expect, it } from "vitest";
import { actorOf } from "./audit-table.ts";

describe("who made a change, in words", () => {
  const names = new Map([["usr_a", "ann@example.com"]]);

  it("when a member made it, it is their email; once removed, a former member", () => {
    expect(actorOf("console:usr_a", names)).toBe("ann@example.com");
    expect(actorOf("console:usr_gone", names)).toBe("former member");
  });

  it("when the API or an operator made it, it says which credential or which operator", () => {
    expect(actorOf("api:token", names)).toBe("API, account token");
    expect(actorOf("api:key_0123", names)).toBe("API, key key_0123");
    expect(actorOf("cli:alice", names)).toBe("operator alice");
    expect(actorOf("operator:bob", names)).toBe("operator bob");
    expect(actorOf("admin-api", names)).toBe("operator");
  });
});
