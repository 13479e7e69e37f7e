import { createHash } from "node:crypto";
import type { AuditBy } from "@smsgw/contracts";
import type { SecretBox } from "@smsgw/service-kit";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Role } from "../domain/roles.ts";
import { queueAudit, type TeamAudit } from "./audit-outbox.ts";
import type { ConsoleDatabase } from "./schema.ts";

const digest = (cookie: string) => createHash("sha256").update(cookie).digest("hex");

export interface SessionView {
  sessionId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** The user a log-in waits on for its two-factor code. */
export interface PendingLogin {
  userId: string;
  email: string;
  accountId: string;
  role: Role;
  totpSecret: string;
  totpLastStep: number | null;
}

/**
 * A user's own security: password, two-factor, sessions, and the "typed again" mark of
 * sensitive actions. Every change writes its audit entry in its own transaction
 * (audit-outbox.ts), with the verified actor the handler passes.
 */
export function createSecurityStore(db: Kysely<ConsoleDatabase>) {
  /** A change and its audit entry in one transaction; false (no entry) when it changed nothing. */
  const audited = (
    change: (tx: Transaction<ConsoleDatabase>) => Promise<unknown>,
    entry: TeamAudit,
  ): Promise<boolean> =>
    db.transaction().execute(async (tx) => {
      if ((await change(tx)) === undefined) return false;
      await queueAudit(tx, entry);
      return true;
    });

  return {
    /**
     * After a key rotation: every TOTP secret (and one waiting) sealed under the previous key
     * sealed again under the current one, so the previous key can then be removed.
     */
    async resealTotp(box: SecretBox): Promise<number> {
      const rows = await db
        .selectFrom("users")
        .select(["user_id", "totp_secret", "totp_pending"])
        .where((eb) =>
          eb.or([eb("totp_secret", "is not", null), eb("totp_pending", "is not", null)]),
        )
        .execute();
      const again = (value: string | null) =>
        value === null || box.isCurrent(value) ? value : box.seal(box.open(value));
      let count = 0;
      for (const row of rows) {
        const secret = again(row.totp_secret);
        const pending = again(row.totp_pending);
        if (secret === row.totp_secret && pending === row.totp_pending) continue;
        // Only if unchanged meanwhile: a secret set or cleared since is not overwritten.
        await db
          .updateTable("users")
          .set({ totp_secret: secret, totp_pending: pending })
          .where("user_id", "=", row.user_id)
          .where(sql<boolean>`totp_secret is not distinct from ${row.totp_secret}`)
          .where(sql<boolean>`totp_pending is not distinct from ${row.totp_pending}`)
          .execute();
        count += 1;
      }
      return count;
    },

    async passwordHash(userId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom("users")
        .select("password_hash")
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row?.password_hash;
    },

    /** The new hash; every other session of the user ends (a thief's with the old one). */
    async changePassword(
      user: { userId: string; accountId: string; sessionId: string },
      passwordHash: string,
      by: AuditBy,
    ): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("users")
          .set({ password_hash: passwordHash })
          .where("user_id", "=", user.userId)
          .execute();
        await tx
          .deleteFrom("sessions")
          .where("user_id", "=", user.userId)
          .where("session_id", "<>", user.sessionId)
          .execute();
        await queueAudit(tx, {
          accountId: user.accountId,
          action: "password.changed",
          by,
          target: user.userId,
          details: {},
        });
      });
    },

    async totpState(userId: string) {
      const row = await db
        .selectFrom("users")
        .select(["totp_secret", "totp_pending", "totp_last_step"])
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return {
        secret: row?.totp_secret ?? null,
        pending: row?.totp_pending ?? null,
        lastStep: row?.totp_last_step === null || !row ? null : Number(row.totp_last_step),
      };
    },

    /** A new secret (sealed) waits for its first code; one waiting before is replaced. */
    async startTotp(userId: string, sealedSecret: string): Promise<void> {
      await db
        .updateTable("users")
        .set({ totp_pending: sealedSecret })
        .where("user_id", "=", userId)
        .where("totp_secret", "is", null)
        .execute();
    },

    /** The waiting secret becomes the user's; false when none was waiting (a second try). */
    async confirmTotp(
      user: { userId: string; accountId: string },
      step: number,
      by: AuditBy,
    ): Promise<boolean> {
      return audited(
        (tx) =>
          tx
            .updateTable("users")
            .set({
              totp_secret: sql<string>`totp_pending`,
              totp_pending: null,
              totp_last_step: step,
            })
            .where("user_id", "=", user.userId)
            .where("totp_pending", "is not", null)
            .where("totp_secret", "is", null)
            .returning("user_id")
            .executeTakeFirst(),
        {
          accountId: user.accountId,
          action: "totp.enrolled",
          by,
          target: user.userId,
          details: {},
        },
      );
    },

    async disableTotp(user: { userId: string; accountId: string }, by: AuditBy): Promise<boolean> {
      return audited(
        (tx) =>
          tx
            .updateTable("users")
            .set({ totp_secret: null, totp_pending: null, totp_last_step: null })
            .where("user_id", "=", user.userId)
            .where("totp_secret", "is not", null)
            .returning("user_id")
            .executeTakeFirst(),
        {
          accountId: user.accountId,
          action: "totp.disabled",
          by,
          target: user.userId,
          details: {},
        },
      );
    },

    /**
     * Marks a code's time step used: false when this step (or a later one) was used already,
     * by a parallel request too (one statement decides), so a code opens one thing once.
     */
    async useTotpStep(userId: string, step: number): Promise<boolean> {
      const row = await db
        .updateTable("users")
        .set({ totp_last_step: step })
        .where("user_id", "=", userId)
        .where(sql<boolean>`totp_last_step is null or totp_last_step < ${step}`)
        .returning("user_id")
        .executeTakeFirst();
      return row !== undefined;
    },

    /** A log-in waiting for its code (the password was right), if the cookie holds one. */
    async pendingLogin(cookie: string): Promise<PendingLogin | undefined> {
      const row = await db
        .selectFrom("sessions")
        .innerJoin("users", "users.user_id", "sessions.user_id")
        .select(["users.user_id", "email", "account_id", "role", "totp_secret", "totp_last_step"])
        .where("id_sha256", "=", digest(cookie))
        .where("stage", "=", "totp")
        .where("expires_at", ">", sql<Date>`now()`)
        .executeTakeFirst();
      if (!row?.totp_secret) return undefined;
      return {
        userId: row.user_id,
        email: row.email,
        accountId: row.account_id,
        role: row.role,
        totpSecret: row.totp_secret,
        totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
      };
    },

    /** The password (and code) were typed again in this session just now. */
    async confirmed(sessionId: string): Promise<void> {
      await db
        .updateTable("sessions")
        .set({ reauth_at: sql<Date>`now()` })
        .where("session_id", "=", sessionId)
        .execute();
    },

    /** The user's open sessions (not those waiting for a code), the newest use first. */
    async sessionsOf(userId: string): Promise<SessionView[]> {
      const rows = await db
        .selectFrom("sessions")
        .select(["session_id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
        .where("user_id", "=", userId)
        .where("stage", "=", "active")
        .where("expires_at", ">", sql<Date>`now()`)
        .orderBy("last_seen_at", "desc")
        .execute();
      return rows.map((row) => ({
        sessionId: row.session_id,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
        ip: row.ip,
        userAgent: row.user_agent,
      }));
    },

    /** Ends one of the user's own sessions; false when it is not theirs or gone already. */
    async revokeSession(
      user: { userId: string; accountId: string },
      sessionId: string,
      by: AuditBy,
    ): Promise<boolean> {
      return audited(
        (tx) =>
          tx
            .deleteFrom("sessions")
            .where("user_id", "=", user.userId)
            .where("session_id", "=", sessionId)
            .returning("session_id")
            .executeTakeFirst(),
        {
          accountId: user.accountId,
          action: "session.revoked",
          by,
          target: sessionId,
          details: {},
        },
      );
    },
  };
}
export type SecurityStore = ReturnType<typeof createSecurityStore>;
