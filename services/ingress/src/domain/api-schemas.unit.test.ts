import { describe, expect, it } from "vitest";
import { describeIssue, MessagesQuery } from "./api-schemas.ts";

const messageOf = (query: Record<string, unknown>) => {
  const parsed = MessagesQuery.safeParse(query);
  return parsed.success ? null : describeIssue(parsed.error);
};

describe("describeIssue on the message search's filters", () => {
  it("when a filter is malformed, the message names it and says what it takes", () => {
    expect(messageOf({ to: " 37256789045" })).toBe(
      "to must be E.164, e.g. +37256789045 (write + as %2B)",
    );
    expect(messageOf({ since: "yesterday" })).toBe(
      "since must be an ISO 8601 time with an offset (2026-12-01T00:00:00Z) or a UTC day (2026-12-01)",
    );
    expect(messageOf({ status: "sending" })).toBe(
      "status must be one of queued, sent, delivered, undelivered, expired, failed",
    );
  });

  it("when since comes after until (swapped?), the search is refused saying so; the same instant is an empty range, not an error", () => {
    expect(messageOf({ since: "2026-12-02", until: "2026-12-01" })).toMatch(
      /since.*must not be after until/,
    );
    expect(messageOf({ since: "2026-12-01", until: "2026-12-01T00:00:00Z" })).toBeNull();
    expect(messageOf({ since: "2026-12-01" })).toBeNull();
  });

  it("when a time is well formed but out of range, the refinement's sentence is kept", () => {
    expect(messageOf({ since: "0000-01-01" })).toBe(
      "since: must be a time between the years 1 and 9999 (UTC)",
    );
  });
});
