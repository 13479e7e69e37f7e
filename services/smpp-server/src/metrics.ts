import type { AdmissionMetrics } from "@smsgw/message-acceptance";
import { defineCounter, defineGauge } from "@smsgw/service-kit";

// smpp-server's series (deploy/README.md conventions): binds by outcome, submits by outcome,
// sessions bound now by mode.
export const smppBinds = defineCounter({
  name: "smsgw_smpp_binds_total",
  help: "Customer binds by outcome (ok, invalid_system_id, invalid_password, too_many_binds, error).",
  labelNames: ["outcome"] as const,
});

export const smppSubmits = defineCounter({
  name: "smsgw_smpp_submits_total",
  help: "Customer submit_sm PDUs by outcome (accepted, part_waiting, refused statuses, throttled, concat_expired).",
  labelNames: ["outcome"] as const,
});

export const smppSessions = defineGauge({
  name: "smsgw_smpp_sessions",
  help: "Customer sessions bound now, by bind mode.",
  labelNames: ["mode"] as const,
});

export const smppReceipts = defineCounter({
  name: "smsgw_smpp_receipts_total",
  help: "deliver_sm owed to customers' binds (receipts, and inbound messages once stored): stored, acknowledged (deliver_sm_resp OK), retry, expired.",
  labelNames: ["outcome"] as const,
});

export const smppInbound = defineCounter({
  name: "smsgw_smpp_inbound_total",
  help: "Inbound messages to accounts with SMPP credentials, stored to go to their binds as deliver_sm (esm_class 0).",
  labelNames: ["outcome"] as const,
});

// Admission control at the SMPP door (ADR 0010; docs/runbook.md "SmppShedding"): the same
// gate as ingress's, its own series.
export const admissionMetrics: AdmissionMetrics = {
  shed: defineCounter({
    name: "smsgw_smpp_shed_total",
    help: "submit_sm refused at capacity (ESME_RTHROTTLED), by the signal that set the pressure: latency, backlog, loop_delay.",
    labelNames: ["reason"] as const,
  }),
  shedding: defineGauge({
    name: "smsgw_smpp_admission_shedding",
    help: "1 while this replica refuses submits at capacity (it refused some during the last 100 ms), else 0.",
  }),
  overloaded: defineGauge({
    name: "smsgw_smpp_admission_overloaded",
    help: "1 while this replica is overloaded (half or more of the last second's submits refused, until under a fifth): the lower latency target and floor apply (ADR 0010), else 0.",
  }),
  pressure: defineGauge({
    name: "smsgw_smpp_admission_pressure",
    help: "The admission signal as a share of its bound: 1 is where shedding starts.",
  }),
  backlogAgeSeconds: defineGauge({
    name: "smsgw_smpp_admission_backlog_age_seconds",
    help: "Age of the oldest message waiting in a delivery-path durable (accepted, routed, submit, the event store).",
  }),
  limit: defineGauge({
    name: "smsgw_smpp_admission_limit",
    help: "Submits this replica works on at once (admitted, not yet answered) before it refuses more.",
  }),
  inFlight: defineGauge({
    name: "smsgw_smpp_sends_in_flight",
    help: "Submits admitted at this replica and not yet answered.",
  }),
};

export const smppMessageRequests = defineCounter({
  name: "smsgw_smpp_message_requests_total",
  help: "Customer query_sm and cancel_sm by command and outcome (answered, canceled, not_found, not_cancelable, window_full, error, …).",
  labelNames: ["command", "outcome"] as const,
});
