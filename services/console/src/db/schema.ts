import type { ColumnType, Generated } from "kysely";
import type { Role } from "../domain/roles.ts";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The tables of schema `console` (migrations.ts makes them). */
export interface ConsoleDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  audit_outbox: AuditOutboxTable;
}

export interface UsersTable {
  user_id: string;
  email: string;
  password_hash: string;
  account_id: string;
  created_at: Generated<Date>;
  role: ColumnType<Role, Role | undefined, Role>;
  /** Sealed (service-kit's secret box), never in clear. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_pending: ColumnType<string | null, string | null | undefined, string | null>;
  totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface SessionsTable {
  id_sha256: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  session_id: Generated<string>;
  last_seen_at: Generated<Date>;
  ip: string | null;
  user_agent: string | null;
  stage: ColumnType<"active" | "totp", "active" | "totp" | undefined, "active" | "totp">;
  reauth_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface InvitationsTable {
  invitation_id: string;
  token_sha256: string;
  account_id: string;
  email: string;
  role: Role;
  invited_by: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: ColumnType<Date | null, Date | null | undefined, Date | string | null>;
}

export interface AuditOutboxTable {
  entry_id: string;
  request: ColumnType<Record<string, unknown>, string, never>;
  created_at: Generated<Date>;
  /** pricing refused the entry for good (with its reason): set aside, no longer sent. */
  refused_at: ColumnType<Date | null, never, Date | string>;
  refused_reason: ColumnType<string | null, never, string>;
}
