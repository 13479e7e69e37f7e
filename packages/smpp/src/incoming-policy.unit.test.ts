import { describe, expect, it } from "vitest";
import { bindRequest, deliverSm, submitSm } from "./builders.ts";
import { decideIncoming } from "./incoming-policy.ts";
import type { RequestPdu } from "./pdu.ts";

const req = (pdu: object) => ({ ...pdu, commandStatus: 0, sequenceNumber: 1 }) as RequestPdu;
const bind = req(bindRequest("transceiver", { systemId: "a", password: "b" }));
const submit = req(submitSm({ destinationAddr: "1" }));
const deliver = req(deliverSm({ destinationAddr: "1" }));

describe("decideIncoming", () => {
  it("when not bound, a bind goes to the owner and anything else gets ESME_RINVBNDSTS", () => {
    expect(decideIncoming(bind, "open", undefined)).toEqual({ kind: "emit", fallbackStatus: 0x0d });
    expect(decideIncoming(submit, "open", undefined)).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(deliver, "open", undefined)).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
  });

  it("when bound, another bind gets ESME_RALYBND", () => {
    expect(decideIncoming(bind, "bound", "transceiver")).toEqual({
      kind: "respond",
      commandStatus: 0x05,
    });
  });

  it("when the bind mode does not carry the message, it gets ESME_RINVBNDSTS", () => {
    expect(decideIncoming(submit, "bound", "receiver")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(deliver, "bound", "transmitter")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(submit, "bound", "transmitter").kind).toBe("emit");
    expect(decideIncoming(deliver, "unbinding", "receiver").kind).toBe("emit");
  });

  it("when enquire_link or unbind arrives, the session answers itself", () => {
    expect(decideIncoming(req({ command: "enquire_link" }), "open", undefined)).toEqual({
      kind: "respond",
      commandStatus: 0,
    });
    expect(decideIncoming(req({ command: "unbind" }), "bound", "transceiver")).toEqual({
      kind: "respondAndClose",
    });
  });
});
