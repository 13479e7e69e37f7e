/** A gauge as the gate uses it (prom-client's Gauge fits). */
interface Settable {
  set(value: number): void;
}

/**
 * The series the gate keeps. Each door defines its own (`smsgw_ingress_…`, `smsgw_smpp_…`),
 * with literal names where the manifest tests and the runbook find them.
 */
export interface AdmissionMetrics {
  /** Sends refused at capacity, by the signal that set the pressure. */
  shed: { inc(labels: { reason: string }, value?: number): void };
  /** 1 while refusing. */
  shedding: Settable;
  /** 1 while overloaded (most of the last second's sends refused): the lower target applies. */
  overloaded: Settable;
  pressure: Settable;
  backlogAgeSeconds: Settable;
  limit: Settable;
  inFlight: Settable;
}
