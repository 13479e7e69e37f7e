import { AuditEntry } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { actorOf, auditTable } from "./audit-table.ts";

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

describe("the audit table", () => {
  const entry = (action: "price_override.set" | "price_override.removed", details: object) => ({
    id: "1",
    at: "2026-01-02T03:04:05.000Z",
    action,
    actor: "cli:alice",
    ip: null,
    target: "+372",
    details: { currency: "EUR", ...details },
  });

  it("when an operator sets or removes a price override, it names the change, the prefix and the price before and after", () => {
    const shown = auditTable(
      [
        entry("price_override.removed", { before: 300, after: null }),
        entry("price_override.set", { before: null, after: 300 }),
      ],
      new Map(),
    ).value;
    expect(shown).toContain(
      "<td>Price override removed</td><td><code>+372</code>: 0.03 EUR → list price</td>",
    );
    expect(shown).toContain(
      "<td>Price override set</td><td><code>+372</code>: list price → 0.03 EUR</td>",
    );
  });
});

describe("an audit log written by a newer build", () => {
  const newer = {
    id: "2",
    at: "2026-01-02T03:04:05.000Z",
    action: "webhook.paused",
    actor: "operator:bob",
    ip: null,
    target: null,
    details: {},
  };

  it("when an entry's action is one this build does not know, the list still parses and the entry shows its action's name", () => {
    const parsed = AuditEntry.array().parse([newer]);
    expect(auditTable(parsed, new Map()).value).toContain("<td>webhook.paused</td>");
    expect(AuditEntry.safeParse({ ...newer, action: "<script>" }).success).toBe(false);
  });
});
