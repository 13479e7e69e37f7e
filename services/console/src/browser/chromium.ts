import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

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

/** Where the browser tests save the README's screenshots (made if missing). */
export const SHOTS = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  "docs",
  "console",
);

/** Debian's Chromium (installed if missing), headless, and the screenshots' folder made. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Root on CI: Chromium's sandbox needs user namespaces that containers often lack.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
