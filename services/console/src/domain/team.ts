import { TeamAuditAction } from "@smsgw/contracts";
import type { Role } from "./roles.ts";

/**
 * The team's rules, decided on the members as the transaction read them (locked), so two
 * owners demoting each other at once cannot leave the account without one.
 */
export interface MemberRole {
  userId: string;
  role: Role;
}

export type TeamDecision = "ok" | "not_found" | "last_owner" | "unchanged";

const owners = (members: readonly MemberRole[]) => members.filter((m) => m.role === "owner");

/** A member's new role: never the last owner's away from owner. */
export function decideRoleChange(
  members: readonly MemberRole[],
  userId: string,
  role: Role,
): TeamDecision {
  const member = members.find((m) => m.userId === userId);
  if (!member) return "not_found";
  if (member.role === role) return "unchanged";
  if (member.role === "owner" && owners(members).length === 1) return "last_owner";
  return "ok";
}

/** A member removed: never the last owner. */
export function decideRemoval(members: readonly MemberRole[], userId: string): TeamDecision {
  const member = members.find((m) => m.userId === userId);
  if (!member) return "not_found";
  if (member.role === "owner" && owners(members).length === 1) return "last_owner";
  return "ok";
}

export type InvitationState = "open" | "unknown" | "used" | "expired";

/** An invitation link as its holder finds it: open once, until it expires. */
export function invitationState(
  invitation: { expiresAt: Date; acceptedAt: Date | null } | undefined,
  now: Date,
): InvitationState {
  if (!invitation) return "unknown";
  if (invitation.acceptedAt) return "used";
  if (invitation.expiresAt.getTime() <= now.getTime()) return "expired";
  return "open";
}

/**
 * A sensitive action (showing or rotating a secret) goes ahead without asking when the
 * password (and code) were typed again within the window; 0 asks every time.
 */
export function recentlyConfirmed(reauthAt: Date | null, now: Date, windowMs: number): boolean {
  if (!reauthAt || windowMs <= 0) return false;
  const age = now.getTime() - reauthAt.getTime();
  return age >= 0 && age < windowMs;
}

/** An audit entry about the team (the team page lists these; the keys page all). */
export function isTeamAction(action: string): boolean {
  return (TeamAuditAction.options as readonly string[]).includes(action);
}
