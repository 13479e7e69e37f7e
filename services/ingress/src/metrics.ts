import type { AdmissionMetrics } from "@smsgw/message-acceptance";
import { defineCounter, defineGauge, defineHistogram, LATENCY_BUCKETS } from "@smsgw/service-kit";

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

// Admission control (@smsgw/message-acceptance admission/gate.ts; docs/runbook.md "IngressShedding").

export const shedRequests = defineCounter({
  name: "smsgw_ingress_shed_total",
  help: "Sends refused at the door because the gateway is at capacity (429 rate_limit), by the signal that set the pressure: latency, backlog, loop_delay.",
  labelNames: ["reason"] as const,
});

export const admissionShedding = defineGauge({
  name: "smsgw_ingress_admission_shedding",
  help: "1 while this replica refuses sends at capacity (it refused some during the last 100 ms), else 0.",
});

export const admissionOverloaded = defineGauge({
  name: "smsgw_ingress_admission_overloaded",
  help: "1 while this replica is overloaded (half or more of the last second's sends refused, until under a fifth): the lower latency target and floor apply (ADR 0010), else 0.",
});

export const admissionPressure = defineGauge({
  name: "smsgw_ingress_admission_pressure",
  help: "The admission signal as a share of its bound: 1 is where shedding starts.",
});

export const admissionBacklogAge = defineGauge({
  name: "smsgw_ingress_admission_backlog_age_seconds",
  help: "Age of the oldest message waiting in a delivery-path durable (accepted, routed, submit, the event store).",
});

export const admissionLimit = defineGauge({
  name: "smsgw_ingress_admission_limit",
  help: "Sends this replica works on at once (admitted, not yet answered) before it refuses more.",
});

export const sendsInFlight = defineGauge({
  name: "smsgw_ingress_sends_in_flight",
  help: "Sends admitted at this replica and not yet answered.",
});

/** The admission gate's series (`@smsgw/message-acceptance`'s startAdmissionGate). */
export const admissionMetrics: AdmissionMetrics = {
  shed: shedRequests,
  shedding: admissionShedding,
  overloaded: admissionOverloaded,
  pressure: admissionPressure,
  backlogAgeSeconds: admissionBacklogAge,
  limit: admissionLimit,
  inFlight: sendsInFlight,
};
