import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { natsAuthorizationConfig } from "../packages/contracts/src/nats-permissions.ts";

/**
 * Writes the nats-server authorization block rendered from the one list of grants
 * (packages/contracts/src/nats-permissions.ts) where compose and the Kubernetes base read it.
 * test/manifests checks both files against the grants byte for byte:
 *
 *   node scripts/nats-auth.ts --write     # after changing a grant
 *   node scripts/nats-auth.ts             # exits 1 when a file is out of date
 */
export const NATS_AUTH_FILES = ["deploy/nats/auth.conf", "k8s/base/nats/auth.conf"] as const;

const ROOT = join(import.meta.dirname, "..");

if (process.argv[1] === import.meta.filename) {
  const expected = natsAuthorizationConfig("sms");
  let stale = 0;
  for (const file of NATS_AUTH_FILES) {
    const path = join(ROOT, file);
    if (process.argv.includes("--write")) {
      writeFileSync(path, expected);
      console.log(`wrote ${file}`);
    } else if (readFileSync(path, "utf8") !== expected) {
      console.error(`${file} is out of date: node scripts/nats-auth.ts --write`);
      stale++;
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
