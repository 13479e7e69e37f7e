import { createHash, randomBytes } from "node:crypto";
import type { AuditBy } from "@smsgw/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Role } from "../domain/roles.ts";
import {
  decideRemoval,
  decideRoleChange,
  type InvitationState,
  invitationState,
  type TeamDecision,
} from "../domain/team.ts";
import { queueAudit } from "./audit-outbox.ts";
import type { ConsoleDatabase } from "./schema.ts";
import { newUserId } from "./users.ts";

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export interface Member {
  userId: string;
  email: string;
  role: Role;
  totpEnabled: boolean;
  createdAt: Date;
}

export interface InvitationView {
  invitationId: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

export type AcceptOutcome =
  | { outcome: "joined"; userId: string; accountId: string }
  | { outcome: InvitationState & ("unknown" | "used" | "expired") }
  | { outcome: "email_taken" };

/** The account's members, locked for a decision about one of them (domain/team.ts). */
async function lockedMembers(tx: Transaction<ConsoleDatabase>, accountId: string) {
  const rows = await tx
    .selectFrom("users")
    .select(["user_id", "role", "email"])
    .where("account_id", "=", accountId)
    .forUpdate()
    .execute();
  return rows.map((row) => ({ userId: row.user_id, role: row.role, email: row.email }));
}

/**
 * The account's members and invitations. Each change is one transaction with its audit
 * entry; decisions about the last owner are made on the members locked in it.
 */
export function createTeamStore(db: Kysely<ConsoleDatabase>) {
  return {
    async members(accountId: string): Promise<Member[]> {
      const rows = await db
        .selectFrom("users")
        .select(["user_id", "email", "role", "totp_secret", "created_at"])
        .where("account_id", "=", accountId)
        .orderBy("created_at")
        .execute();
      return rows.map((row) => ({
        userId: row.user_id,
        email: row.email,
        role: row.role,
        totpEnabled: row.totp_secret !== null,
        createdAt: row.created_at,
      }));
    },

    /** The members' emails by user id (who made a change, in the audit log's tables). */
    async names(accountId: string): Promise<Map<string, string>> {
      const rows = await db
        .selectFrom("users")
        .select(["user_id", "email"])
        .where("account_id", "=", accountId)
        .execute();
      return new Map(rows.map((row) => [row.user_id, row.email]));
    },

    /** Invitations not accepted and not expired, oldest first. */
    async openInvitations(accountId: string): Promise<InvitationView[]> {
      const rows = await db
        .selectFrom("invitations")
        .select(["invitation_id", "email", "role", "created_at", "expires_at"])
        .where("account_id", "=", accountId)
        .where("accepted_at", "is", null)
        .where("expires_at", ">", sql<Date>`now()`)
        .orderBy("created_at")
        .execute();
      return rows.map((row) => ({
        invitationId: row.invitation_id,
        email: row.email,
        role: row.role,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      }));
    },

    /** A new invitation; the link's token is in this answer only (its SHA-256 is kept). */
    async invite(
      invitation: { accountId: string; email: string; role: Role; ttlMs: number },
      by: AuditBy & { userId: string },
    ): Promise<{ invitationId: string; token: string }> {
      const token = randomBytes(32).toString("base64url");
      const invitationId = `inv_${randomBytes(12).toString("base64url")}`;
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto("invitations")
          .values({
            invitation_id: invitationId,
            token_sha256: digest(token),
            account_id: invitation.accountId,
            email: invitation.email,
            role: invitation.role,
            invited_by: by.userId,
            expires_at: new Date(Date.now() + invitation.ttlMs),
          })
          .execute();
        await queueAudit(tx, {
          accountId: invitation.accountId,
          action: "member.invited",
          by: { actor: by.actor, ip: by.ip },
          target: invitationId,
          details: { email: invitation.email, role: invitation.role },
        });
      });
      return { invitationId, token };
    },

    /**
     * Withdraws an open invitation of the account (its link opens nothing after), with its
     * audit entry in the same transaction.
     */
    async revokeInvitation(accountId: string, invitationId: string, by: AuditBy): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const gone = await tx
          .deleteFrom("invitations")
          .where("invitation_id", "=", invitationId)
          .where("account_id", "=", accountId)
          .where("accepted_at", "is", null)
          .returning(["email", "role"])
          .executeTakeFirst();
        if (!gone) return false;
        await queueAudit(tx, {
          accountId,
          action: "member.invitation_revoked",
          by,
          target: invitationId,
          details: { email: gone.email, role: gone.role },
        });
        return true;
      });
    },

    /** The invitation behind a link, as its holder may see it (email, role, state). */
    async invitation(token: string) {
      const row = await db
        .selectFrom("invitations")
        .select(["email", "role", "expires_at", "accepted_at"])
        .where("token_sha256", "=", digest(token))
        .executeTakeFirst();
      const state = invitationState(
        row && { expiresAt: row.expires_at, acceptedAt: row.accepted_at },
        new Date(),
      );
      return { state, email: row?.email ?? "", role: row?.role ?? "viewer" };
    },

    /**
     * The link's holder becomes a member with the password they chose. Single use: the
     * invitation is claimed by the same statement that checks it, so two acceptances at once
     * make one user.
     */
    async accept(token: string, passwordHash: string, ip: string | null): Promise<AcceptOutcome> {
      return db.transaction().execute(async (tx): Promise<AcceptOutcome> => {
        const claimed = await tx
          .updateTable("invitations")
          .set({ accepted_at: sql<Date>`now()` })
          .where("token_sha256", "=", digest(token))
          .where("accepted_at", "is", null)
          .where("expires_at", ">", sql<Date>`now()`)
          .returning(["account_id", "email", "role", "invitation_id"])
          .executeTakeFirst();
        if (!claimed) {
          const row = await tx
            .selectFrom("invitations")
            .select(["expires_at", "accepted_at"])
            .where("token_sha256", "=", digest(token))
            .executeTakeFirst();
          const state = invitationState(
            row && { expiresAt: row.expires_at, acceptedAt: row.accepted_at },
            new Date(),
          );
          return { outcome: state === "open" ? "used" : state };
        }
        const userId = newUserId();
        const inserted = await tx
          .insertInto("users")
          .values({
            user_id: userId,
            email: claimed.email,
            password_hash: passwordHash,
            account_id: claimed.account_id,
            role: claimed.role,
          })
          .onConflict((c) => c.column("email").doNothing())
          .returning("user_id")
          .executeTakeFirst();
        if (!inserted) {
          // The email logs in elsewhere: a login belongs to one account. Nothing is claimed.
          await tx
            .updateTable("invitations")
            .set({ accepted_at: null })
            .where("invitation_id", "=", claimed.invitation_id)
            .execute();
          return { outcome: "email_taken" };
        }
        await queueAudit(tx, {
          accountId: claimed.account_id,
          action: "member.joined",
          // The invitation proved who this is: the new member is the actor.
          by: { actor: `console:${userId}`, ip },
          target: userId,
          details: { email: claimed.email, role: claimed.role, invitation: claimed.invitation_id },
        });
        return { outcome: "joined", userId, accountId: claimed.account_id };
      });
    },

    async changeRole(
      accountId: string,
      userId: string,
      role: Role,
      by: AuditBy,
    ): Promise<TeamDecision> {
      return db.transaction().execute(async (tx) => {
        const members = await lockedMembers(tx, accountId);
        const decision = decideRoleChange(members, userId, role);
        if (decision !== "ok") return decision;
        const before = members.find((m) => m.userId === userId);
        await tx.updateTable("users").set({ role }).where("user_id", "=", userId).execute();
        await queueAudit(tx, {
          accountId,
          action: "member.role_changed",
          by,
          target: userId,
          details: { email: before?.email, from: before?.role, to: role },
        });
        return decision;
      });
    },

    /** The member's login and sessions are deleted; the account and its data stay. */
    async remove(accountId: string, userId: string, by: AuditBy): Promise<TeamDecision> {
      return db.transaction().execute(async (tx) => {
        const members = await lockedMembers(tx, accountId);
        const decision = decideRemoval(members, userId);
        if (decision !== "ok") return decision;
        const member = members.find((m) => m.userId === userId);
        await tx.deleteFrom("users").where("user_id", "=", userId).execute();
        await queueAudit(tx, {
          accountId,
          action: "member.removed",
          by,
          target: userId,
          details: { email: member?.email, role: member?.role },
        });
        return decision;
      });
    },

    /** The sessions of every member, for the owner's view (newest use first). */
    async memberSessions(accountId: string) {
      return db
        .selectFrom("sessions")
        .innerJoin("users", "users.user_id", "sessions.user_id")
        .select([
          "users.user_id",
          "session_id",
          "sessions.created_at",
          "last_seen_at",
          "ip",
          "user_agent",
        ])
        .where("account_id", "=", accountId)
        .where("stage", "=", "active")
        .where("expires_at", ">", sql<Date>`now()`)
        .orderBy("last_seen_at", "desc")
        .execute();
    },
  };
}
export type TeamStore = ReturnType<typeof createTeamStore>;
