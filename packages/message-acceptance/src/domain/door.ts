import {
  type AccountRecord,
  accountRegistryFor,
  checkRouting,
  type RoutingRules,
  senderKind,
} from "@smsgw/contracts";
import { type Checked, passed, refused } from "./api-error.ts";
import type { Destination } from "./phone.ts";

export interface DoorInput {
  account: Pick<AccountRecord, "blockedCountries">;
  /** Routing's published rules; null while routing has published none (pricing decides). */
  rules: RoutingRules | null;
  destination: Destination;
  /** The checked, trimmed sender. */
  sender: string;
  /** The recipient is on the account's opt-out list. */
  optedOut?: boolean;
  /**
   * The sender is a number the account holds (api.md section 5): always a valid sender for
   * it, whatever the destination's sender rules say (registered senders only included).
   */
  ownSender?: boolean;
  /** The sender is an alphanumeric sender ID the operator approved for the account. */
  senderApproved?: boolean;
}

/** Every prefix: used to ask `checkRouting` about the sender rules alone. */
const ANY_DESTINATION = ["+"];

/**
 * The checks made at the door, before pricing is asked, in api.md's order: the sender
 * rules of the destination (invalid_sender), the account's opt-out list (opted_out), then
 * the account's blocked countries and routing's reachable prefixes (destination_blocked). `checkRouting` would report an
 * unroutable destination before a bad sender, so the sender rules are asked first with
 * every destination counted as routable. A number the account holds is always its valid
 * sender: the sender rules are not asked about it. Where the destination's rule turns the
 * sender ID registry on, an alphanumeric sender must also be approved for the account.
 */
export function checkDoor(input: DoorInput): Checked<void> {
  const { account, destination, sender } = input;
  // The account's own number passes the sender rules: judge the destination alone.
  const rules = input.rules && input.ownSender ? { ...input.rules, senderRules: [] } : input.rules;
  if (rules) {
    const senderOnly = checkRouting(
      { ...rules, routablePrefixes: ANY_DESTINATION },
      destination.e164,
      sender,
    );
    if (!senderOnly.ok) return refused(senderOnly.status, senderOnly.message);
    if (
      senderKind(sender) === "alphanumeric" &&
      !input.senderApproved &&
      accountRegistryFor(rules, destination.e164)
    ) {
      return refused(
        "invalid_sender",
        "this destination accepts sender IDs registered to your account and approved only (POST /v1/senders)",
      );
    }
  }
  if (input.optedOut) {
    return refused("opted_out", "the recipient has opted out of this account's messages (STOP)");
  }
  const country = destination.country;
  if (country !== null && account.blockedCountries?.includes(country)) {
    return refused("destination_blocked", `sending to ${country} is blocked for this account`);
  }
  if (rules) {
    const routed = checkRouting(rules, destination.e164, sender);
    if (!routed.ok) return refused(routed.status, routed.message);
  }
  return passed(undefined);
}
