import type { PartStatus } from "@smsgw/contracts";

/**
 * A receipt's stat as a part status (api.md section 3): DELIVRD is delivered; UNDELIV,
 * REJECTD, DELETED and SKIPPED are undelivered; EXPIRED is expired; everything else
 * (ENROUTE, ACCEPTD, SCHEDULED, UNKNOWN, unrecognised) is not final: pending.
 */
export function partStatusOf(stat: string): PartStatus {
  switch (stat) {
    case "DELIVRD":
      return "delivered";
    case "UNDELIV":
    case "REJECTD":
    case "DELETED":
    case "SKIPPED":
      return "undelivered";
    case "EXPIRED":
      return "expired";
    default:
      return "pending";
  }
}
