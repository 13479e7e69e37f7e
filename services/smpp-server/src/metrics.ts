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
  help: "Receipts owed to customers' binds: stored, acknowledged (deliver_sm_resp OK), retry, expired.",
  labelNames: ["outcome"] as const,
});
