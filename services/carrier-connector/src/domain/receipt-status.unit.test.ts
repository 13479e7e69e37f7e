import { describe, expect, it } from "vitest";
import { partStatusOf } from "./receipt-status.ts";

describe("partStatusOf", () => {
  it.each([
    ["DELIVRD", "delivered"],
    ["UNDELIV", "undelivered"],
    ["REJECTD", "undelivered"],
    ["DELETED", "undelivered"],
    ["SKIPPED", "undelivered"],
    ["EXPIRED", "expired"],
    ["ENROUTE", "pending"],
    ["ACCEPTD", "pending"],
    ["SCHEDULED", "pending"],
    ["UNKNOWN", "pending"],
    ["WHATEVER", "pending"],
  ])("when the stat is %s, the part is %s", (stat, status) => {
    expect(partStatusOf(stat)).toBe(status);
  });
});
