import { runMain } from "@smsgw/service-kit";
import { loadInboundConfig } from "./config.ts";
import { startInbound } from "./service.ts";

await runMain({
  name: "inbound",
  loadConfig: loadInboundConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startInbound,
});
