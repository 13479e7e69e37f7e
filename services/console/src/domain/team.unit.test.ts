import { describe, expect, it } from "vitest";
import {
  decideRemoval,
  decideRoleChange,
  invitationState,
  type MemberRole,
  recentlyConfirmed,
} from "./team.ts";

const given = (...members: Array<[string, MemberRole["role"]]>): MemberRole[] =>
  members.map(([userId, role]) => ({ userId, role }));

describe("team rules", () => {
  it("when the only owner would be demoted or removed, it is refused", () => {
    const team = given(["a", "owner"], ["b", "viewer"]);
    expect(decideRoleChange(team, "a", "developer")).toBe("last_owner");
    expect(decideRemoval(team, "a")).toBe("last_owner");
  });

  it("when another owner remains, an owner may be demoted or removed", () => {
    const team = given(["a", "owner"], ["b", "owner"]);
    expect(decideRoleChange(team, "a", "viewer")).toBe("ok");
    expect(decideRemoval(team, "b")).toBe("ok");
  });

  it("when the member is another account's (not in the list), it is not found", () => {
    const team = given(["a", "owner"]);
    expect(decideRoleChange(team, "x", "viewer")).toBe("not_found");
    expect(decideRemoval(team, "x")).toBe("not_found");
  });

  it("when the role is the one the member has, nothing changes", () => {
    expect(decideRoleChange(given(["a", "owner"], ["b", "billing"]), "b", "billing")).toBe(
      "unchanged",
    );
  });

  it("when an invitation was used or has expired, it opens nothing", () => {
    const now = new Date("2026-12-06T08:00:00Z");
    const later = new Date("2026-12-07T08:00:00Z");
    expect(invitationState({ expiresAt: later, acceptedAt: null }, now)).toBe("open");
    expect(invitationState({ expiresAt: later, acceptedAt: now }, now)).toBe("used");
    expect(invitationState({ expiresAt: now, acceptedAt: null }, now)).toBe("expired");
    expect(invitationState(undefined, now)).toBe("unknown");
  });

  it("when the password was typed again within the window, a sensitive action asks nothing", () => {
    const now = new Date("2026-12-06T08:10:00Z");
    const window = 10 * 60_000;
    expect(recentlyConfirmed(new Date("2026-12-06T08:05:00Z"), now, window)).toBe(true);
    expect(recentlyConfirmed(new Date("2026-12-06T08:00:00Z"), now, window)).toBe(false);
    expect(recentlyConfirmed(null, now, window)).toBe(false);
    expect(recentlyConfirmed(new Date("2026-12-06T08:09:00Z"), now, 0)).toBe(false);
  });
});
