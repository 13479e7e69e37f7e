import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The tables of schema `console` (migrations.ts makes them). */
export interface ConsoleDatabase {
  users: UsersTable;
  sessions: SessionsTable;
}

export interface UsersTable {
  user_id: string;
  email: string;
  password_hash: string;
  account_id: string;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  id_sha256: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}
