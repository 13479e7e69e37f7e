import { defineCounter, defineHistogram, LATENCY_BUCKETS } from "@smsgw/service-kit";

// The ingress's series (deploy/README.md lists them). Routes are templates
// (`/v1/messages/:id`), never raw paths: a message id must not become a label.

export const httpRequestDuration = defineHistogram({
  name: "smsgw_http_server_request_duration_seconds",
  help: "API requests by method, route template and HTTP status code, and how long they took.",
  labelNames: ["http_request_method", "http_route", "http_response_status_code"] as const,
  buckets: LATENCY_BUCKETS,
});

export const ingressRequests = defineCounter({
  name: "smsgw_ingress_requests_total",
  help: "API requests by route template, HTTP status code and api.md status (success, low_balance, …; none when the answer has no status).",
  labelNames: ["http_route", "http_response_status_code", "status"] as const,
});

export const acceptDuration = defineHistogram({
  name: "smsgw_ingress_accept_duration_seconds",
  help: "Send requests (GET/POST /, POST /v1/messages, the batch): received to answered, by outcome (accepted, refused).",
  labelNames: ["outcome"] as const,
  buckets: LATENCY_BUCKETS,
});
