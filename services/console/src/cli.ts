/**
 * The console's operator commands:
 *
 *   CONSOLE_PASSWORD=… node services/console/src/cli.ts demo-user --account-id=acc_… --email=demo@smsgw.local
 *
 * creates (or resets the password of) a console login for an existing pricing account, so
 * the demo account that `pnpm start` creates can be looked at in the console (local stack);
 *
 *   node services/console/src/cli.ts disable-totp --email=… --operator=<your name>
 *
 * turns a member's two-factor off when they lost their authenticator (after the operator has
 * checked who asks, out of band), with one audit entry as `cli:<operator>`, which the running
 * console sends to pricing's audit log within AUDIT_RETRY_MS. The password
 * comes from CONSOLE_PASSWORD (kept off the process list) or `--password=…` (with the `=`:
 * a value that begins with "-" is otherwise read as an option). Configuration from the
 * environment, as the service's (DATABASE_URL).
 */
import { parseArgs } from "node:util";
import { openServiceDatabase } from "@smsgw/service-kit";
import { loadConsoleConfig } from "./config.ts";
import { createSecurityStore } from "./db/account-security.ts";
import { CONSOLE_SCHEMA, migrations } from "./db/migrations.ts";
import type { ConsoleDatabase } from "./db/schema.ts";
import { createUserStore, newUserId } from "./db/users.ts";
import { checkNewPassword, normalizeEmail } from "./domain/credentials-input.ts";
import { hashPassword } from "./handlers/password.ts";

const USAGE = `usage: cli.ts demo-user --account-id=<acc_…> --email=<email> [--password=<password>]
       cli.ts disable-totp --email=<email> --operator=<name>
  The password (at least 10 characters) comes from --password=… or, when that is not given,
  from CONSOLE_PASSWORD. Write values as --name=value: one that begins with "-" needs the "=".`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "account-id": { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      operator: { type: "string" },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // parseArgs says what it could not read (and how to pass a value that begins with "-").
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (positionals[0] === "disable-totp") return disableTotp(values.email, values.operator);
  if (positionals[0] !== "demo-user" || !values["account-id"]) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const email = normalizeEmail(values.email);
  if (!email.ok) throw new Error(email.problem);
  const password = checkNewPassword(values.password ?? process.env.CONSOLE_PASSWORD, email.value);
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

async function disableTotp(input: string | undefined, operator: string | undefined) {
  const email = normalizeEmail(input);
  if (!email.ok || !operator || !/^[A-Za-z0-9_.@-]{1,60}$/.test(operator)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConsoleConfig(process.env);
  const database = await openServiceDatabase<ConsoleDatabase>(config, CONSOLE_SCHEMA, migrations, {
    max: 1,
  });
  try {
    const user = await createUserStore(database.db).findByEmail(email.value);
    const by = { actor: `cli:${operator}`, ip: null };
    if (!user || !(await createSecurityStore(database.db).disableTotp(user, by))) {
      process.stderr.write(`console: ${email.value} has no login with two-factor on\n`);
      return 1;
    }
  } finally {
    await database.close();
  }
  process.stdout.write(`two-factor of ${email.value} is off; they log in with the password\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
