import { runMain } from "@smsgw/service-kit";
import { loadRoutingConfig } from "./config.ts";
import { startRouting } from "./service.ts";

await runMain({
  name: "routing",
  loadConfig: loadRoutingConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startRouting,
});
