import { runMain } from "@smsgw/service-kit";
import { loadSmppServerConfig } from "./config.ts";
import { startSmppServer } from "./service.ts";

await runMain({
  name: "smpp-server",
  loadConfig: loadSmppServerConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startSmppServer,
});
