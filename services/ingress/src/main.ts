import { runMain } from "@smsgw/service-kit";
import { loadIngressConfig } from "./config.ts";
import { startIngress } from "./service.ts";

await runMain({
  name: "ingress",
  loadConfig: loadIngressConfig,
  logLevel: (config) => config.LOG_LEVEL,
  start: startIngress,
});
