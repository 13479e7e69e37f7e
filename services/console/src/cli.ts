/**
 * The console's operator command, for the local stack:
 *
 *   node services/console/src/cli.ts demo-user --account-id acc_… --email demo@smsgw.local --password …
 *
 * creates (or resets the password of) a console login for an existing pricing account, so
 * the demo account that `pnpm start` creates can be looked at in the console. Configuration
 * from the environment, as the service's (DATABASE_URL).
 */
import { parseArgs } from "node:util";
import { openServiceDatabase } from "@smsgw/service-kit";
import { loadConsoleConfig } from "./config.ts";
import { CONSOLE_SCHEMA, migrations } from "./db/migrations.ts";
import type { ConsoleDatabase } from "./db/schema.ts";
import { createUserStore, newUserId } from "./db/users.ts";
import { checkNewPassword, normalizeEmail } from "./domain/credentials-input.ts";
import { hashPassword } from "./handlers/password.ts";

const USAGE =
  "usage: cli.ts demo-user --account-id <acc_…> --email <email> --password <at least 10 characters>";

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "account-id": { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
    },
  });
  if (positionals[0] !== "demo-user" || !values["account-id"]) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const email = normalizeEmail(values.email);
  if (!email.ok) throw new Error(email.problem);
  const password = checkNewPassword(values.password, email.value);
  if (!password.ok) throw new Error(password.problem);
  const config = loadConsoleConfig(process.env);
  const database = await openServiceDatabase<ConsoleDatabase>(config, CONSOLE_SCHEMA, migrations, {
    max: 1,
  });
  try {
    await createUserStore(database.db).upsert({
      userId: newUserId(),
      email: email.value,
      passwordHash: await hashPassword(password.value),
      accountId: values["account-id"],
    });
  } finally {
    await database.close();
  }
  process.stdout.write(`console login ${email.value} now opens account ${values["account-id"]}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
