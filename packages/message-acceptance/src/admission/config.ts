import { Flag } from "@smsgw/service-kit";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/**
 * Admission control's settings, the same at every door (ingress's HTTP, smpp-server's SMPP):
 * past capacity, refuse new sends at once, before any charge (issue 17, ADR 0010). Each
 * replica limits the sends it works on at once. A service's env schema spreads this in.
 */
export const AdmissionEnv = {
  ADMISSION_ENABLED: Flag.default(true),
  /** The bound: accepted messages reach a carrier within this (ms). The limit shrinks at half of it. */
  ADMISSION_MAX_DELAY_MS: positiveInt.default(10_000),
  /** Admitted sends are answered within this at p90 (ms); past it the limit shrinks. */
  ADMISSION_TARGET_LATENCY_MS: positiveInt.default(100),
  /**
   * The target while overloaded (half or more of the offered sends refused, until under a
   * fifth): past capacity, answers faster for a few more refusals. Never above the target.
   */
  ADMISSION_OVERLOAD_TARGET_LATENCY_MS: positiveInt.default(60),
  /** Event-loop delay of this replica (p99 over 100 ms, ms) at which the limit shrinks. */
  ADMISSION_MAX_LOOP_DELAY_MS: positiveInt.default(40),
  /** Sends in flight at one replica: the limit never goes below this… */
  ADMISSION_MIN_IN_FLIGHT: positiveInt.default(64),
  /**
   * …except while overloaded (as for the overload target), when it may go down to this: at
   * 16 the gateway carried half as much past capacity on this host's slower phases (the sends
   * in flight below what the path holds), at 32 as much as at 64 (docs/performance.md, round 18).
   */
  ADMISSION_OVERLOAD_MIN_IN_FLIGHT: positiveInt.default(32),
  /** …nor above this (where it starts). */
  ADMISSION_MAX_IN_FLIGHT: positiveInt.default(1_000),
  /** How often the signal is read (the stream's consumers are listed once per poll). */
  ADMISSION_POLL_MS: positiveInt.min(50).default(1_000),
  /** Durables on the delivery path's subjects that do not count (comma-separated names). */
  ADMISSION_IGNORE_DURABLES: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name.length > 0),
    ),
};

const AdmissionConfigSchema = z.object(AdmissionEnv);
export type AdmissionConfig = z.output<typeof AdmissionConfigSchema>;
