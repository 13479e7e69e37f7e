import type { NextFunction, Request, Response } from "express";
import { errorPage } from "../domain/pages/auth.ts";
import { capabilityOf, may } from "../domain/roles.ts";
import { locals, pageContext } from "./security.ts";

/**
 * Every request of a signed-in user is held against their role before any handler runs
 * (domain/roles.ts lists every route): what the role does not allow is 403 whatever the
 * page showed, and a route no rule names is 404, so a new route is closed until it is given
 * a rule. Visitors without a session go on to the handlers (they send them to /login).
 */
export function authorize(req: Request, res: Response, next: NextFunction): void {
  const user = locals(res).user;
  if (!user) return void next();
  const need = capabilityOf(req.method, req.path);
  if (need === "public") return void next();
  if (need === undefined) {
    res
      .status(404)
      .send(errorPage(pageContext(res), 404, "Not found", "There is no such page.").value);
    return;
  }
  if (may(user.role, need)) return void next();
  res
    .status(403)
    .send(
      errorPage(
        pageContext(res),
        403,
        "Not allowed",
        `Your role (${user.role}) does not allow this. The account's owner can change it.`,
      ).value,
    );
}
