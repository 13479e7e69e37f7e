import { isSmppSystemId } from "@smsgw/smpp-credentials";

/**
 * The system_id a console rotation asks for: none when the account has one (it keeps it, so
 * only the password changes) or when its name is one (as the CLI would take it); otherwise
 * the `drawn` one. A console sign-up's name, `console-<12 hex>`, is 20 characters: SMPP 3.4
 * allows 15.
 */
export function consoleSystemId(
  account: { smppSystemId: string | null; name: string },
  drawn: string,
): string | undefined {
  if (account.smppSystemId !== null || isSmppSystemId(account.name)) return undefined;
  return drawn;
}
