import { describe, expect, it } from "vitest";
import { bindRequest, deliverSm, submitSm } from "./builders.ts";
import { decideIncoming } from "./incoming-policy.ts";
import type { BindMode, RequestPdu } from "./pdu.ts";

const req = (pdu: object) => ({ ...pdu, commandStatus: 0, sequenceNumber: 1 }) as RequestPdu;
const bind = req(bindRequest("transceiver", { systemId: "a", password: "b" }));
const submit = req(submitSm({ destinationAddr: "1" }));
const deliver = req(deliverSm({ destinationAddr: "1" }));
const data = req({ ...submitSm({ destinationAddr: "1" }), command: "data_sm" });
const modes: BindMode[] = ["transmitter", "receiver", "transceiver"];

describe("decideIncoming", () => {
  it("when not bound, a bind goes to the owner and anything else gets ESME_RINVBNDSTS (but deliver_sm and data_sm on the ESME side)", () => {
    expect(decideIncoming(bind, "open", undefined, "esme")).toEqual({
      kind: "emit",
      fallbackStatus: 0x0d,
    });
    expect(decideIncoming(submit, "open", undefined, "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    for (const pdu of [submit, deliver, data]) {
      expect(decideIncoming(pdu, "open", undefined, "smsc")).toEqual({
        kind: "respond",
        commandStatus: 0x04,
      });
    }
  });

  it("when the SMSC sends deliver_sm or data_sm before our bind_resp is handled, it is answered ESME_RX_T_APPN (it sends it again), not ESME_RINVBNDSTS, which many SMSCs take as final", () => {
    for (const pdu of [deliver, data]) {
      expect(decideIncoming(pdu, "open", undefined, "esme")).toEqual({
        kind: "respond",
        commandStatus: 0x64,
      });
      // Once bound, the bind mode decides again: a transmitter does not take them.
      expect(decideIncoming(pdu, "bound", "transmitter", "esme")).toEqual({
        kind: "respond",
        commandStatus: 0x04,
      });
      expect(decideIncoming(pdu, "bound", "receiver", "esme").kind).toBe("emit");
    }
  });

  it("when bound, another bind gets ESME_RALYBND", () => {
    expect(decideIncoming(bind, "bound", "transceiver", "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x05,
    });
  });

  it("when the bind mode does not carry the message, it gets ESME_RINVBNDSTS", () => {
    expect(decideIncoming(submit, "bound", "receiver", "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(deliver, "bound", "transmitter", "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(submit, "bound", "transmitter", "esme").kind).toBe("emit");
    expect(decideIncoming(deliver, "unbinding", "transmitter", "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
  });

  it("when unbinding (either side's unbind), nothing new goes to the owner: a temporary status, so the peer sends it again on its next bind", () => {
    const query = req({ command: "query_sm", messageId: "1", sourceAddr: "" });
    for (const pdu of [submit, data, query]) {
      expect(decideIncoming(pdu, "unbinding", "transceiver", "smsc")).toEqual({
        kind: "respond",
        commandStatus: 0x08, // ESME_RSYSERR: retry later (Kannel fails ESME_RINVBNDSTS for good)
      });
    }
    for (const pdu of [deliver, data]) {
      expect(decideIncoming(pdu, "unbinding", "receiver", "esme")).toEqual({
        kind: "respond",
        commandStatus: 0x64, // ESME_RX_T_APPN: many SMSCs drop a receipt refused otherwise
      });
    }
    expect(
      decideIncoming(req({ command: "enquire_link" }), "unbinding", "receiver", "esme"),
    ).toEqual({ kind: "respond", commandStatus: 0 });
    expect(decideIncoming(req({ command: "unbind" }), "unbinding", "receiver", "esme")).toEqual({
      kind: "respondAndClose",
    });
  });

  it("when enquire_link or unbind arrives, the session answers itself", () => {
    expect(decideIncoming(req({ command: "enquire_link" }), "open", undefined, "esme")).toEqual({
      kind: "respond",
      commandStatus: 0,
    });
    expect(decideIncoming(req({ command: "unbind" }), "bound", "transceiver", "smsc")).toEqual({
      kind: "respondAndClose",
    });
  });

  it.each([
    // An ESME hears receipts and MO as data_sm where deliver_sm comes: not on a transmitter.
    ["esme", "deliver_sm", deliver, "transmitter"],
    // An SMSC hears data_sm submits where submit_sm comes: not on a receiver.
    ["smsc", "submit_sm", submit, "receiver"],
  ] as const)(
    "when data_sm reaches the %s side, it is taken where %s is taken, and refused with ESME_RINVBNDSTS where not",
    (role, _twin, twin, refusing) => {
      for (const mode of modes) {
        const asTwin = decideIncoming(twin, "bound", mode, role);
        expect(decideIncoming(data, "bound", mode, role)).toEqual(asTwin);
        expect(asTwin.kind).toBe(mode === refusing ? "respond" : "emit");
      }
    },
  );

  it("when data_sm reaches an ESME that listens to nothing, it is answered ESME_RX_T_APPN (the SMSC retries), as deliver_sm is", () => {
    expect(decideIncoming(data, "bound", "receiver", "esme")).toEqual({
      kind: "emit",
      fallbackStatus: 0x64,
    });
  });
});

describe("decideIncoming: query_sm and cancel_sm", () => {
  const query = req({ command: "query_sm", messageId: "1", sourceAddr: "" });
  const cancel = req({ command: "cancel_sm", messageId: "1", sourceAddr: "" });

  it("when an SMSC hears them, they are taken where submit_sm is, and answered ESME_RINVCMDID when nobody serves them", () => {
    for (const pdu of [query, cancel]) {
      expect(decideIncoming(pdu, "bound", "transmitter", "smsc")).toEqual({
        kind: "emit",
        fallbackStatus: 0x03,
      });
      expect(decideIncoming(pdu, "bound", "receiver", "smsc")).toEqual({
        kind: "respond",
        commandStatus: 0x04,
      });
    }
  });

  it("when an ESME hears them, they are answered ESME_RINVCMDID: a carrier has no business asking us", () => {
    for (const pdu of [query, cancel]) {
      expect(decideIncoming(pdu, "bound", "transceiver", "esme")).toEqual({
        kind: "respond",
        commandStatus: 0x03,
      });
    }
  });
});
