import { createHash } from "node:crypto";
import type { NumberErased } from "@smsgw/contracts";

/**
 * The `NumberErased` notice for one E.164 number (ADR 0021): its SHA-256 in hex, which the
 * inbound service matches in Postgres (`sha256(convert_to(number, 'UTF8'))`), so the number
 * itself never goes into the stream it is being erased from.
 */
export function numberErasedNotice(number: string): NumberErased {
  return { type: "NumberErased", version: 1, numberSha256: numberSha256(number) };
}

/** The SHA-256 (hex) of an E.164 number, as `NumberErased` names it. */
export function numberSha256(number: string): string {
  return createHash("sha256").update(number, "utf8").digest("hex");
}
