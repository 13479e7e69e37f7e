import { type EventOf, eventIdFor } from "@smsgw/contracts";
import type { Charge } from "./authorize-outcome.ts";
import type { SendFields } from "./fields.ts";
import type { Destination } from "./phone.ts";

export interface AcceptedInput {
  messageId: string;
  accountId: string;
  fields: Pick<SendFields, "text" | "encoding" | "parts" | "callbackUrl">;
  destination: Destination;
  sender: string;
  charge: Charge;
  /** ISO timestamp of acceptance. */
  occurredAt: string;
}

/** The MessageAccepted event of a charged message; its id is derived, so a re-publish is a duplicate. */
export function acceptedEvent(input: AcceptedInput): EventOf<"MessageAccepted"> {
  const { messageId, fields, destination, charge } = input;
  return {
    eventId: eventIdFor(messageId, "accepted"),
    type: "MessageAccepted",
    version: 1,
    messageId,
    accountId: input.accountId,
    occurredAt: input.occurredAt,
    data: {
      to: destination.e164,
      from: input.sender,
      text: fields.text,
      encoding: fields.encoding,
      parts: fields.parts,
      country: destination.country,
      cost: charge.amount,
      currency: charge.currency,
      callbackUrl: fields.callbackUrl,
      reference: null,
    },
  };
}
