import { describe, expect, it } from "vitest";
import { CommandStatus, commandStatusName } from "./command-status.ts";
import { classifyCommandStatus, commandStatusAdvice } from "./status-class.ts";

describe("classifyCommandStatus", () => {
  it("when the status is 0, it is ok", () => {
    expect(classifyCommandStatus(0)).toBe("ok");
  });

  it("when the SMSC is busy or failing inside, it is retry", () => {
    for (const code of [0x58, 0x14, 0x08, 0x64]) expect(classifyCommandStatus(code)).toBe("retry");
  });

  it("when throttled or queue full, it advises a long backoff and slowing the bind down", () => {
    for (const code of [CommandStatus.ESME_RTHROTTLED, CommandStatus.ESME_RMSGQFUL]) {
      expect(commandStatusAdvice(code)).toEqual({
        class: "retry",
        backoff: "long",
        slowDown: true,
      });
    }
    expect(commandStatusAdvice(CommandStatus.ESME_RSYSERR)).toEqual({
      class: "retry",
      backoff: "short",
      slowDown: false,
    });
  });

  it("when the SMSC may have taken the message anyway, it is unclear", () => {
    expect(classifyCommandStatus(0x45)).toBe("unclear");
    expect(classifyCommandStatus(0xff)).toBe("unclear");
  });

  it("when the message itself is wrong, it is permanent", () => {
    const codes = [0x01, 0x0a, 0x0b, 0x43, 0x48, 0x49, 0x50, 0x51, 0x61, 0x62, 0x65, 0x66];
    for (const code of [...codes, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4]) {
      expect(classifyCommandStatus(code)).toBe("permanent");
    }
  });

  it("when the code is not in the table (vendor codes), it is permanent", () => {
    expect(classifyCommandStatus(0x400)).toBe("permanent");
    expect(classifyCommandStatus(0x0c)).toBe("permanent");
  });

  it("when the bind is the problem, it is session: rebind for bind state, stop for credentials", () => {
    expect(commandStatusAdvice(0x04)).toEqual({ class: "session", action: "rebind" });
    expect(commandStatusAdvice(0x05)).toEqual({ class: "session", action: "rebind" });
    for (const code of [0x0d, 0x0e, 0x0f]) {
      expect(commandStatusAdvice(code)).toEqual({ class: "session", action: "stop" });
    }
  });
});

describe("commandStatusName", () => {
  it("when the code is known, it gives the spec name; otherwise the hex code", () => {
    expect(commandStatusName(0x58)).toBe("ESME_RTHROTTLED");
    expect(commandStatusName(0x0e)).toBe("ESME_RINVPASWD");
    expect(commandStatusName(0x400)).toBe("0x00000400");
  });
});
