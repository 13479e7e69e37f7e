import { runMain } from "@smsgw/service-kit";
import { loadConsoleConfig } from "./config.ts";
import { startConsole } from "./service.ts";

await runMain({
  name: "console",
  loadConfig: loadConsoleConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startConsole,
});
