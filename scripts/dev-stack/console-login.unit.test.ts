import { describe, expect, it } from "vitest";
import { demoLoginCommand } from "./console-login.ts";

describe("the stack's call of the console's demo-user command", () => {
  it("when the generated password begins with '-', it travels in CONSOLE_PASSWORD, and no value stands alone in argv", () => {
    const { args, env } = demoLoginCommand(
      "/repo",
      { DATABASE_URL: "postgres://x" },
      { accountId: "acc_1", email: "demo@smsgw.local", password: "-Kx8_q2Zr4Lm" },
    );
    expect(args).toEqual([
      "/repo/services/console/src/cli.ts",
      "demo-user",
      "--account-id=acc_1",
      "--email=demo@smsgw.local",
    ]);
    expect(env).toEqual({ DATABASE_URL: "postgres://x", CONSOLE_PASSWORD: "-Kx8_q2Zr4Lm" });
  });
});
