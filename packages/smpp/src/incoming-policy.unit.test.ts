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
  it("when not bound, a bind goes to the owner and anything else gets ESME_RINVBNDSTS", () => {
    expect(decideIncoming(bind, "open", undefined, "esme")).toEqual({
      kind: "emit",
      fallbackStatus: 0x0d,
    });
    expect(decideIncoming(submit, "open", undefined, "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
    expect(decideIncoming(deliver, "open", undefined, "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
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
    expect(decideIncoming(deliver, "unbinding", "receiver", "esme").kind).toBe("emit");
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

  it.each(modes)(
    "when the SMSC sends data_sm on a %s bind, the ESME takes it where it takes deliver_sm (receipts, MO)",
    (mode) => {
      const asDeliver = decideIncoming(deliver, "bound", mode, "esme");
      expect(decideIncoming(data, "bound", mode, "esme")).toEqual(asDeliver);
      expect(asDeliver.kind).toBe(mode === "transmitter" ? "respond" : "emit");
    },
  );

  it.each(modes)(
    "when an ESME sends data_sm on a %s bind, the SMSC takes it where it takes submit_sm",
    (mode) => {
      const asSubmit = decideIncoming(submit, "bound", mode, "smsc");
      expect(decideIncoming(data, "bound", mode, "smsc")).toEqual(asSubmit);
      expect(asSubmit.kind).toBe(mode === "receiver" ? "respond" : "emit");
    },
  );

  it("when data_sm reaches an ESME that listens to nothing, it is answered ESME_RX_T_APPN (the SMSC retries), as deliver_sm is", () => {
    expect(decideIncoming(data, "bound", "receiver", "esme")).toEqual({
      kind: "emit",
      fallbackStatus: 0x64,
    });
    expect(decideIncoming(data, "open", undefined, "esme")).toEqual({
      kind: "respond",
      commandStatus: 0x04,
    });
  });
});
