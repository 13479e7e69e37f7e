import { defineCounter, defineGauge } from "@smsgw/service-kit";

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

export const streamCopiesErased = defineCounter({
  name: "smsgw_inbound_stream_copies_erased_total",
  help: "Stream messages holding an erased MO (its events, its delivery) deleted and overwritten by the stream eraser (ADR 0021, amendment 4).",
});

export const streamCopiesWaiting = defineGauge({
  name: "smsgw_inbound_stream_erasures_waiting",
  help: "Stream copies of erased MO the last run left waiting: a consumer of their subject has not acked them yet.",
});
