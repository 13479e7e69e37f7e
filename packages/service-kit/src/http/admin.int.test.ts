import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { type AdminApi, adminCallerOfResponse, startAdminApi } from "./admin.ts";
import { adminActorOf } from "./admin-auth.ts";

const SHARED = "the-shared-admin-token-0123";
const BOB = "bobs-own-operator-token-4567";
const NUMBER = "+447700900123";

describe("an admin API with named operators (every service's, through the kit)", () => {
  const lines: Array<Record<string, unknown>> = [];
  let api: AdminApi;
  const call = (method: string, path: string, token?: string) =>
    fetch(`http://127.0.0.1:${api.port}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  beforeAll(async () => {
    const log = createLogger("admin-test", "info", {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    api = await startAdminApi({
      port: 0,
      host: "127.0.0.1",
      credentials: {
        token: SHARED,
        operators: new Map([["bob", createHash("sha256").update(BOB).digest()]]),
      },
      log,
      routes: (router) => {
        router.get("/v1/numbers", (_req, res) => {
          res.json({ who: adminActorOf(adminCallerOfResponse(res)) });
        });
        router.put("/v1/numbers/:number", (_req, res) => {
          res.json({ who: adminActorOf(adminCallerOfResponse(res)) });
        });
      },
    });
  });
  afterAll(() => api.close());

  it("when a named operator changes something, the change is logged as that operator, with the route and never the number", async () => {
    const answer = await call("PUT", `/v1/numbers/${encodeURIComponent(NUMBER)}`, BOB);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ who: "operator:bob" });
    const change = lines.find((l) => l.msg === "admin change");
    expect(change).toMatchObject({
      actor: "operator:bob",
      method: "PUT",
      route: "/v1/numbers/:number",
      status: 200,
    });
    expect(JSON.stringify(lines)).not.toContain("7700900123");
  });

  it("when the shared token is used, the actor is only admin-api, whatever the caller claims", async () => {
    lines.length = 0;
    const answer = await fetch(`http://127.0.0.1:${api.port}/v1/numbers/x`, {
      method: "PUT",
      headers: { authorization: `Bearer ${SHARED}`, "x-actor": "operator:bob" },
    });
    expect(await answer.json()).toEqual({ who: "admin-api" });
    expect(lines.find((l) => l.msg === "admin change")).toMatchObject({ actor: "admin-api" });
  });

  it("when the token is wrong or missing, nothing runs and nothing is logged as a change", async () => {
    lines.length = 0;
    for (const token of [undefined, "bobs-own-operator-token-456", `${BOB}x`]) {
      const answer = await call("PUT", "/v1/numbers/x", token);
      expect(answer.status, String(token)).toBe(401);
      expect(await answer.json()).toMatchObject({ status: "auth_failed" });
    }
    expect(lines.filter((l) => l.msg === "admin change")).toEqual([]);
  });

  it("when an operator only reads, no change is logged", async () => {
    lines.length = 0;
    expect((await call("GET", "/v1/numbers", BOB)).status).toBe(200);
    expect(lines.filter((l) => l.msg === "admin change")).toEqual([]);
  });
});
