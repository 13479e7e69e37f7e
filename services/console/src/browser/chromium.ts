import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * The browser tests drive Debian's `chromium` package. A fresh machine may not have it:
 * install it here, with apt-get, the first time the tests need it (CI runs as root; a
 * developer without root is told the one command to run).
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 540_000,
    });
  try {
    apt(["update", "-qq"]);
    apt(["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
  } catch (error) {
    throw new Error(
      `${CHROMIUM} is missing and could not be installed (${(error as Error).message}); run: sudo apt-get install -y chromium`,
    );
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}
