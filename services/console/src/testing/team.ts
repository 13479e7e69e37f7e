import { signedUp, textOf, Visitor } from "@smsgw/testkit";
import type postgres from "postgres";

export const PASSWORD = "correct horse battery";

/** An owner signed up on this console, with their account id. */
export async function owner(base: string, sql: postgres.Sql, email: string) {
  const { visitor } = await signedUp(base, email, PASSWORD);
  const [row] = await sql<Array<{ account_id: string; user_id: string }>>`
    select account_id, user_id from console.users where email = ${email}`;
  if (!row) throw new Error("the owner was not stored");
  return { visitor, accountId: row.account_id, userId: row.user_id };
}

/** The link an owner's invitation shows (once), for `email` as `role`. */
export async function inviteLink(ownerVisitor: Visitor, email: string, role: string) {
  await ownerVisitor.get("/team");
  const page = await ownerVisitor.post("/team/invite", { email, role });
  if (page.status !== 200) throw new Error(`inviting answered ${page.status}`);
  return textOf(page.text, "invite-link");
}

/** A new member: invited by the owner, the link opened in another browser, joined. */
export async function member(base: string, ownerVisitor: Visitor, email: string, role: string) {
  const link = await inviteLink(ownerVisitor, email, role);
  const visitor = new Visitor(base);
  const path = new URL(link).pathname;
  await visitor.get(path);
  const joined = await visitor.post(path, { password: PASSWORD });
  if (joined.status !== 303) throw new Error(`joining answered ${joined.status}`);
  return { visitor, link, path };
}

/** A browser logged in with email and password (no two-factor). */
export async function loggedIn(base: string, email: string, password = PASSWORD) {
  const visitor = new Visitor(base, { "user-agent": `test browser of ${email}` });
  await visitor.get("/login");
  const answer = await visitor.post("/login", { email, password });
  return { visitor, answer };
}

/** The account's audit entries of one action, as pricing keeps them. */
export async function auditOf(sql: postgres.Sql, accountId: string, action: string) {
  return sql<
    Array<{
      actor: string;
      ip: string | null;
      target: string | null;
      details: Record<string, unknown>;
    }>
  >`
    select actor, ip, target, details from pricing.audit_log
    where account_id = ${accountId} and action = ${action} order by id`;
}

export async function userIdOf(sql: postgres.Sql, email: string): Promise<string> {
  const [row] = await sql<Array<{ user_id: string }>>`
    select user_id from console.users where email = ${email}`;
  return row?.user_id ?? "";
}
