import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra } from "@smsgw/testkit";
import { loadSmppServerConfig } from "../config.ts";
import { migrations } from "../db/migrations.ts";

/** A fresh test database with smpp-server's schema migrated, and how to drop it. */
export async function openTestDatabase(): Promise<{
  database: Database<unknown>;
  close(): Promise<void>;
}> {
  const infra = await createTestInfra();
  const database = await openServiceDatabase(
    loadSmppServerConfig(infra.env),
    "smpp_server",
    migrations,
  );
  return {
    database,
    async close() {
      await database.close();
      await infra.cleanup();
    },
  };
}
