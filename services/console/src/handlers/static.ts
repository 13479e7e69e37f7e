import { readdirSync, readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Router } from "express";

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "static");
const SMS_TEXT_DIR = dirname(fileURLToPath(import.meta.resolve("@smsgw/sms-text")));

/**
 * The console's own CSS and JS, and the gateway's SMS splitter (`@smsgw/sms-text`) for the
 * send form's live part count: its TypeScript sources with the types stripped by Node
 * (`module.stripTypeScriptTypes`), so the browser counts with the very code that bills.
 * Everything is read once at start-up; a name that is not there is a 404.
 */
export function mountStatic(router: Router): void {
  const files = new Map<string, { type: string; body: string }>();
  for (const name of ["console.css", "console.js"]) {
    files.set(`/static/${name}`, {
      type: name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
      body: readFileSync(join(STATIC_DIR, name), "utf8"),
    });
  }
  // Every module of the package, so what its index imports is there whatever it grows to;
  // its tests and benches (`name.unit.test.ts`, `name.bench.ts`) are not.
  const modules = readdirSync(SMS_TEXT_DIR)
    .filter((file) => /^[a-z0-9-]+\.ts$/.test(file))
    .map((file) => file.slice(0, -".ts".length));
  // stripTypeScriptTypes warns once that it is experimental; Node's own type stripping,
  // which runs this service, is the same code, so the warning says nothing new here.
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  try {
    for (const name of modules) {
      const source = readFileSync(join(SMS_TEXT_DIR, `${name}.ts`), "utf8");
      files.set(`/static/sms-text/${name}.ts`, {
        type: "text/javascript; charset=utf-8",
        body: stripTypeScriptTypes(source),
      });
    }
  } finally {
    process.emitWarning = emitWarning;
  }
  router.get(/^\/static\/.+$/, (req, res) => {
    const file = files.get(req.path);
    if (!file) return void res.status(404).type("text/plain").send("not found");
    res.set("cache-control", "public, max-age=300").type(file.type).send(file.body);
  });
}
