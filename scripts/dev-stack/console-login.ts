import { join } from "node:path";

export interface DemoLogin {
  accountId: string;
  email: string;
  /** Generated (random base64url): it may begin with "-". */
  password: string;
}

/**
 * How the stack calls `cli.ts demo-user`. Every value as `--name=value`, and the password
 * in the environment (off the process list): a value passed as its own argument that
 * begins with "-" is read as an option, and the stack stopped one start in 64 on that.
 */
export function demoLoginCommand(
  root: string,
  env: NodeJS.ProcessEnv,
  login: DemoLogin,
): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [
      join(root, "services", "console", "src", "cli.ts"),
      "demo-user",
      `--account-id=${login.accountId}`,
      `--email=${login.email}`,
    ],
    env: { ...env, CONSOLE_PASSWORD: login.password },
  };
}
