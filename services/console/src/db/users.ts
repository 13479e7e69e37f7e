import { createHash, randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Role } from "../domain/roles.ts";
import { firstExpiryMs, type SessionLimits } from "../domain/session.ts";
import type { ConsoleDatabase } from "./schema.ts";

export interface User {
  userId: string;
  email: string;
  accountId: string;
  /** Absent: owner (a user made before roles, or by sign-up). */
  role?: Role;
}

/** The signed-in user as the session middleware finds it. */
export interface SessionUser extends User {
  role: Role;
  /** Two-factor is on: log-in and sensitive actions ask for a code too. */
  totpEnabled: boolean;
  /** The session's public id (never the cookie or its digest). */
  sessionId: string;
  /** When the password was last typed again in this session (sensitive actions). */
  reauthAt: Date | null;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

/** Where a session was opened from, as the user will see it in their list. */
export interface SessionMeta {
  ip: string | null;
  userAgent: string | null;
  /** "totp": the password was right, the code is still to come; opens no page. */
  stage?: "active" | "totp";
}

/** Users and sessions of the console, in its own schema. */
export interface UserStore {
  /** False when the email is taken (unique index). */
  create(user: UserWithHash): Promise<boolean>;
  /** Creates or replaces the user with this email (the local stack's demo login). */
  upsert(user: UserWithHash): Promise<void>;
  findByEmail(email: string): Promise<(UserWithHash & { totpEnabled: boolean }) | undefined>;
  /** A new session; returns the cookie value (only its hash is stored). */
  openSession(userId: string, limits: SessionLimits, meta?: SessionMeta): Promise<string>;
  /**
   * The session's user, sliding its expiry (never past `maxMs` after log-in); undefined when
   * unknown, idle too long, older than `maxMs`, or still waiting for its two-factor code.
   */
  sessionUser(cookie: string, limits: SessionLimits): Promise<SessionUser | undefined>;
  closeSession(cookie: string): Promise<void>;
  deleteExpiredSessions(): Promise<number>;
}

export function newUserId(): string {
  return `usr_${randomBytes(12).toString("base64url")}`;
}

const digest = (cookie: string) => createHash("sha256").update(cookie).digest("hex");

export function createUserStore(db: Kysely<ConsoleDatabase>): UserStore {
  const toUser = (row: { user_id: string; email: string; account_id: string }): User => ({
    userId: row.user_id,
    email: row.email,
    accountId: row.account_id,
  });

  return {
    async create(user) {
      const inserted = await db
        .insertInto("users")
        .values({
          user_id: user.userId,
          email: user.email,
          password_hash: user.passwordHash,
          account_id: user.accountId,
          ...(user.role ? { role: user.role } : {}),
        })
        .onConflict((c) => c.column("email").doNothing())
        .returning("user_id")
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async upsert(user) {
      await db
        .insertInto("users")
        .values({
          user_id: user.userId,
          email: user.email,
          password_hash: user.passwordHash,
          account_id: user.accountId,
        })
        .onConflict((c) =>
          c.column("email").doUpdateSet({
            password_hash: user.passwordHash,
            account_id: user.accountId,
          }),
        )
        .execute();
    },

    async findByEmail(email) {
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where("email", "=", email)
        .executeTakeFirst();
      return (
        row && {
          ...toUser(row),
          role: row.role,
          passwordHash: row.password_hash,
          totpEnabled: row.totp_secret !== null,
        }
      );
    },

    async openSession(userId, limits, meta) {
      const cookie = randomBytes(32).toString("base64url");
      await db
        .insertInto("sessions")
        .values({
          id_sha256: digest(cookie),
          user_id: userId,
          expires_at: new Date(Date.now() + firstExpiryMs(limits)),
          ip: meta?.ip ?? null,
          user_agent: meta?.userAgent?.slice(0, 300) ?? null,
          stage: meta?.stage ?? "active",
        })
        .execute();
      return cookie;
    },

    async sessionUser(cookie, limits) {
      const idle = sql<Date>`make_interval(secs => ${limits.idleMs / 1000}::double precision)`;
      const max = sql<Date>`make_interval(secs => ${limits.maxMs / 1000}::double precision)`;
      // One round trip: slide the expiry of a live session and read its user. The absolute
      // limit is checked on created_at too, so sessions from before it (or before a lower
      // SESSION_MAX_HOURS) end on time: a stolen cookie kept in use does not live forever.
      const row = await db
        .with("touched", (q) =>
          q
            .updateTable("sessions")
            .set({
              expires_at: sql<Date>`least(now() + ${idle}, created_at + ${max})`,
              last_seen_at: sql<Date>`now()`,
            })
            .where("id_sha256", "=", digest(cookie))
            .where("stage", "=", "active")
            .where("expires_at", ">", sql<Date>`now()`)
            .where("created_at", ">", sql<Date>`now() - ${max}`)
            .returning(["user_id", "session_id", "reauth_at"]),
        )
        .selectFrom("touched")
        .innerJoin("users", "users.user_id", "touched.user_id")
        .select([
          "users.user_id",
          "email",
          "account_id",
          "role",
          "totp_secret",
          "session_id",
          "reauth_at",
        ])
        .executeTakeFirst();
      return (
        row && {
          ...toUser(row),
          role: row.role,
          totpEnabled: row.totp_secret !== null,
          sessionId: row.session_id,
          reauthAt: row.reauth_at,
        }
      );
    },

    async closeSession(cookie) {
      await db.deleteFrom("sessions").where("id_sha256", "=", digest(cookie)).execute();
    },

    async deleteExpiredSessions() {
      const result = await db
        .deleteFrom("sessions")
        .where("expires_at", "<=", sql<Date>`now()`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
