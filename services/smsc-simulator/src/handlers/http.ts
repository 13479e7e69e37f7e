import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExtraRoute } from "@smsgw/service-kit";
import type { Submission } from "../domain/submission.ts";

/**
 * `GET /submissions` (optionally `?carrierId=sim-a`) on the health server: the received
 * submits as JSON, oldest first, for tests and for a look by hand.
 */
export function submissionsRoute(submissions: () => Submission[]): ExtraRoute {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://simulator");
    if (req.method !== "GET" || url.pathname !== "/submissions") return false;
    const carrierId = url.searchParams.get("carrierId");
    const list = submissions().filter((s) => carrierId === null || s.carrierId === carrierId);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(list));
    return true;
  };
}
