import { defineCounter, defineStreamEraserMetrics } from "@smsgw/service-kit";

// The inbound service's series (deploy/README.md conventions).
export const inboundMessages = defineCounter({
  name: "smsgw_inbound_messages_total",
  help: "Inbound messages (joined MO) by owner: owned (an account's, sent to its webhook) or unowned (kept for the operator).",
  labelNames: ["owner"] as const,
});

export const inboundApiRequests = defineCounter({
  name: "smsgw_inbound_api_requests_total",
  help: "Numbers and inbound API requests forwarded by ingress, by operation and HTTP status.",
  labelNames: ["op", "status"] as const,
});

export const inboundErased = defineCounter({
  name: "smsgw_inbound_erased_total",
  help: "Inbound messages whose text and sender were erased, by reason: retention (the account's days were over) or number (the operator's erase-number).",
  labelNames: ["reason"] as const,
});

// The stream copies of erased content (ADR 0021): deleted, and waiting for a reader.
export const streamEraserMetrics = defineStreamEraserMetrics("inbound");
