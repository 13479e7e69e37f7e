import { defineCounter } from "@smsgw/service-kit";

// The console's own series (besides service-kit's), on /metrics of HEALTH_PORT.

export const auditEntries = defineCounter({
  name: "smsgw_console_audit_entries_total",
  help: "Team changes' audit entries pricing answered, by outcome (recorded, or refused for good and set aside).",
  labelNames: ["outcome"] as const,
});
