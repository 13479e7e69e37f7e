import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

export const CONSOLE_SCHEMA = "console";

/** Schema `console`: the console's users and their sessions, nothing else. */
export const migrations: Record<string, Migration> = {
  "0001_users_sessions": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table users (
          user_id text primary key,
          -- Lower-cased; the login name.
          email text not null unique,
          -- scrypt$N$r$p$salt$key (handlers/password.ts).
          password_hash text not null,
          -- The pricing account this user manages (one per user).
          account_id text not null unique,
          -- Used by the send form when no callback URL is given.
          callback_url text,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`
        create table sessions (
          -- SHA-256 of the cookie's value: a leaked table opens no session.
          id_sha256 text primary key,
          user_id text not null references users (user_id) on delete cascade,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null
        )`.execute(db);
      await sql`create index sessions_user on sessions (user_id)`.execute(db);
      await sql`create index sessions_expires on sessions (expires_at)`.execute(db);
    },
  },
  "0002_callback_url_is_the_accounts": {
    async up(db: Kysely<unknown>) {
      // The default callback URL belongs to the account now (pricing's AccountRecord, which
      // ingress applies to every message sent without one), no longer to a console user.
      await sql`alter table users drop column callback_url`.execute(db);
    },
  },
};
