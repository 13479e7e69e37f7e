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
  "0003_teams": {
    async up(db: Kysely<unknown>) {
      // Issue 22, team members: several users per account, each with a role. The one user
      // an account had until now is its owner (the column's default).
      await sql`alter table users drop constraint users_account_id_key`.execute(db);
      await sql`create index users_account on users (account_id)`.execute(db);
      await sql`
        alter table users
          add column role text not null default 'owner'
            check (role in ('owner', 'developer', 'billing', 'viewer')),
          -- The TOTP secret, sealed (service-kit's secret box): a dump does not give codes.
          add column totp_secret text,
          -- Drawn at enrolment, waiting for the first code that proves the app has it.
          add column totp_pending text,
          -- The time step of the last code accepted: a code is good once.
          add column totp_last_step bigint`.execute(db);
      await sql`
        alter table sessions
          -- What a user sees of a session (and revokes it by): never the cookie's digest.
          add column session_id text not null default ('ses_' || replace(gen_random_uuid()::text, '-', '')),
          add column last_seen_at timestamptz not null default now(),
          add column ip text,
          add column user_agent text,
          -- 'totp': the password was right, the code not yet given; opens no page.
          add column stage text not null default 'active' check (stage in ('active', 'totp')),
          -- The last time the password (and code) were typed again, for sensitive actions.
          add column reauth_at timestamptz`.execute(db);
      await sql`create unique index sessions_public_id on sessions (session_id)`.execute(db);
      await sql`
        create table invitations (
          invitation_id text primary key,
          -- SHA-256 of the link's token: the link is shown to the owner once, never stored.
          token_sha256 text not null unique,
          account_id text not null,
          email text not null,
          role text not null check (role in ('owner', 'developer', 'billing', 'viewer')),
          invited_by text not null,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          -- Single use: set once, by the acceptance that made the user.
          accepted_at timestamptz
        )`.execute(db);
      await sql`create index invitations_account on invitations (account_id)`.execute(db);
      await sql`
        create table audit_outbox (
          -- The entry's id at pricing too: a retry after a lost answer records nothing more.
          entry_id text primary key,
          -- pricing's console.record_audit request, written in the change's transaction.
          request jsonb not null,
          created_at timestamptz not null default now()
        )`.execute(db);
    },
  },
  "0004_audit_set_aside": {
    async up(db: Kysely<unknown>) {
      // An entry pricing refuses for good (an account it does not know) is set aside with
      // pricing's reason, no longer sent: the relay goes on with the entries after it.
      await sql`
        alter table audit_outbox
          add column refused_at timestamptz,
          add column refused_reason text`.execute(db);
      await sql`create index audit_outbox_pending on audit_outbox (created_at) where refused_at is null`.execute(
        db,
      );
    },
  },
};
