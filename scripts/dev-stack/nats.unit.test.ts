import { describe, expect, it } from "vitest";
import {
  NATS_OPERATOR_USER,
  NATS_USERS,
  natsPasswordVariable,
} from "../../packages/contracts/src/nats-permissions.ts";
import { SERVICES } from "../lib/processes.ts";
import { devNatsCredentials } from "./nats.ts";

describe("the local stack's NATS users", () => {
  it("when the stack starts a service that uses NATS, the permission file has its user", () => {
    const started = [...SERVICES.map((s) => s.name), "console"].filter(
      (name) => name !== "smsc-simulator",
    );
    for (const name of started) expect(NATS_USERS as readonly string[], name).toContain(name);
  });

  it("when credentials are made, the server has every user's password and each service its own", () => {
    let n = 0;
    const credentials = devNatsCredentials(() => `nPassword${n++}`);
    const users = [...NATS_USERS, NATS_OPERATOR_USER];
    expect(Object.keys(credentials.serverEnv).sort()).toEqual(
      users.map(natsPasswordVariable).sort(),
    );
    for (const user of NATS_USERS) {
      const env = credentials.envOf(user);
      expect(env.NATS_USER).toBe(user);
      expect(credentials.serverEnv[natsPasswordVariable(user)]).toBe(env.NATS_PASSWORD);
    }
    expect(() => credentials.envOf("smsc-simulator")).toThrow(/no NATS user/);
  });

  it("when passwords are random, each begins with a letter (nats-server parses the variable)", () => {
    const { serverEnv } = devNatsCredentials();
    for (const value of Object.values(serverEnv))
      expect(value).toMatch(/^[A-Za-z][A-Za-z0-9]{20,}$/);
    expect(new Set(Object.values(serverEnv)).size).toBe(Object.keys(serverEnv).length);
  });
});
