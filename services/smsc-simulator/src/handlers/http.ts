import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExtraRoute } from "@smsgw/service-kit";
import { z } from "zod";
import { SimBehaviour } from "../config.ts";
import type { Submission } from "../domain/submission.ts";
import type { SimulatedCarrier } from "./carrier.ts";

const MAX_BODY = 1_000_000;
const Mo = z
  .object({
    from: z.string().min(1).max(21),
    to: z.string().min(1).max(21),
    text: z.string().max(2_000),
    concat: z.enum(["udh8", "udh16", "sar"]).optional(),
    ref: z.number().int().min(0).max(0xffff).optional(),
    onlyParts: z.array(z.number().int().min(1).max(255)).max(255).optional(),
    splitAt: z.array(z.number().int().min(1)).max(254).optional(),
  })
  .refine((mo) => mo.concat !== undefined || mo.text.length <= 160, {
    message: "a text over 160 characters needs concat (udh8, udh16 or sar)",
  })
  .refine((mo) => mo.concat !== "udh8" || (mo.ref ?? 1) <= 0xff, {
    message: "a udh8 reference is at most 255",
  })
  .refine((mo) => mo.splitAt === undefined || mo.concat !== undefined, {
    message: "splitAt needs concat (udh8, udh16 or sar)",
  });

/**
 * The simulator's HTTP routes next to the probes:
 * - `GET /submissions[?carrierId=]`: the received submits, oldest first;
 * - `GET /carriers`, `GET /carriers/{id}`: what each carrier does now, its port, its open
 *   binds and the binds it accepted and refused so far;
 * - `PUT /carriers/{id}`: replaces its behaviour (body: SimBehaviour, defaults filled in);
 * - `POST /carriers/{id}/drop-binds`: closes its sessions now;
 * - `POST /carriers/{id}/restart-ids`: its message ids start again from the first;
 * - `POST /carriers/{id}/mo`: sends an MO `{ from, to, text, concat?, ref?, onlyParts?, splitAt? }`
 *   to a bound receiver (concat "udh8" | "udh16" | "sar" splits it into parts; onlyParts sends
 *   some; splitAt cuts the encoded text at these octets instead, mid-character too).
 * Bad input: 400 with `{ error, detail }`; an unknown carrier: 404.
 */
export function simulatorRoutes(
  submissions: () => Submission[],
  carriers: ReadonlyMap<string, SimulatedCarrier>,
): ExtraRoute {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://simulator");
    if (req.method === "GET" && url.pathname === "/submissions") {
      const carrierId = url.searchParams.get("carrierId");
      const list = submissions().filter((s) => carrierId === null || s.carrierId === carrierId);
      send(res, 200, list);
      return true;
    }
    if (req.method === "GET" && url.pathname === "/carriers") {
      send(
        res,
        200,
        [...carriers.values()].map((c) => ({
          id: c.id,
          port: c.port,
          openBinds: c.openBinds(),
          binds: { ...c.binds },
          ...c.behaviour(),
        })),
      );
      return true;
    }
    const match = /^\/carriers\/([^/]+)(\/drop-binds|\/restart-ids|\/mo)?$/.exec(url.pathname);
    if (!match) return false;
    const carrier = carriers.get(decodeURIComponent(match[1] ?? ""));
    if (!carrier) {
      send(res, 404, { error: "unknown_carrier", detail: `no carrier "${match[1]}"` });
      return true;
    }
    const action = match[2];
    if (req.method === "GET" && !action) {
      send(res, 200, {
        id: carrier.id,
        port: carrier.port,
        openBinds: carrier.openBinds(),
        binds: { ...carrier.binds },
        ...carrier.behaviour(),
      });
    } else if (req.method === "POST" && action === "/drop-binds") {
      send(res, 200, { dropped: carrier.dropBinds() });
    } else if (req.method === "POST" && action === "/restart-ids") {
      send(res, 200, { nextId: carrier.restartIds() });
    } else if (req.method === "PUT" && !action) {
      void withJson(req, res, (body) => {
        const parsed = SimBehaviour.safeParse(body);
        if (!parsed.success)
          return send(res, 400, {
            error: "invalid_behaviour",
            detail: z.prettifyError(parsed.error),
          });
        carrier.configure(parsed.data);
        send(res, 200, { id: carrier.id, port: carrier.port, ...parsed.data });
      });
    } else if (req.method === "POST" && action === "/mo") {
      void withJson(req, res, async (body) => {
        const parsed = Mo.safeParse(body);
        if (!parsed.success)
          return send(res, 400, { error: "invalid_mo", detail: z.prettifyError(parsed.error) });
        try {
          send(res, 200, { commandStatus: await carrier.sendMo(parsed.data) });
        } catch (error) {
          send(res, 409, {
            error: "not_sent",
            detail: error instanceof Error ? error.message : String(error),
          });
        }
      });
    } else {
      send(res, 405, { error: "method_not_allowed", detail: `${req.method} ${url.pathname}` });
    }
    return true;
  };
}

async function withJson(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (body: unknown) => void | Promise<void>,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return send(res, 413, { error: "too_large", detail: "body over 1 MB" });
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return send(res, 400, { error: "invalid_json", detail: "the body is not JSON" });
  }
  await handle(body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
