import { runMain } from "@smsgw/service-kit";
import { loadSmscSimulatorConfig } from "./config.ts";
import { startSmscSimulator } from "./service.ts";

await runMain({
  name: "smsc-simulator",
  loadConfig: loadSmscSimulatorConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startSmscSimulator,
});
