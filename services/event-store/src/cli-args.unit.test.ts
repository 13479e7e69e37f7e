import { newMessageId } from "@smsgw/contracts";
import { UsageError } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { parseCommand } from "./cli-args.ts";
import { trailText } from "./domain/trail-text.ts";

describe("the event store's operator CLI", () => {
  it("when asked for a message's trail, it takes the message id and --json", () => {
    const messageId = newMessageId();
    expect(parseCommand(["messages", "trail", messageId, "--json"])).toEqual({
      kind: "messages trail",
      messageId,
      json: true,
    });
    expect(parseCommand([])).toEqual({ kind: "help" });
  });

  it("when the id is missing, not a message id, or the command unknown, it is wrong usage", () => {
    expect(() => parseCommand(["messages", "trail"])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "trail", "nope"])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "erase", newMessageId()])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "trail", newMessageId(), "--all"])).toThrow(UsageError);
  });

  it("when asked for retention, it lists with no argument, sets days or goes back to the default", () => {
    expect(parseCommand(["messages", "retention"])).toEqual({
      kind: "messages retention",
      json: false,
    });
    expect(parseCommand(["messages", "retention", "acc_1", "7"])).toMatchObject({
      accountId: "acc_1",
      days: 7,
    });
    expect(parseCommand(["messages", "retention", "acc_1", "default"])).toMatchObject({
      accountId: "acc_1",
      days: null,
    });
    expect(() => parseCommand(["messages", "retention", "acc_1"])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "retention", "acc_1", "-1"])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "retention", "acc_1", "0"])).toThrow(UsageError);
    expect(() => parseCommand(["messages", "retention", "acc_1", "1.5"])).toThrow(UsageError);
  });

  it("when a trail is printed, each event is a line with its data as stored", () => {
    const text = trailText("msg_1", [
      {
        type: "MessageSubmitted",
        accountId: "acc_1",
        occurredAt: "2026-12-01T10:00:00.000Z",
        data: { carrierId: "sim-a", parts: [{ part: 1, carrierMessageId: "1a" }] },
      },
    ]);
    expect(text).toBe(
      'msg_1 (account acc_1), 1 event(s):\n2026-12-01T10:00:00.000Z  MessageSubmitted  {"carrierId":"sim-a","parts":[{"part":1,"carrierMessageId":"1a"}]}',
    );
    expect(trailText("msg_2", [])).toBe("No events stored for msg_2.");
  });

  it("when a number is to be erased, it must be one number in E.164 form", () => {
    expect(parseCommand(["messages", "erase-number", "+37256789045", "--json"])).toEqual({
      kind: "messages erase-number",
      number: "+37256789045",
      json: true,
    });
    expect(() => parseCommand(["messages", "erase-number", "56789045"])).toThrow(/E.164/);
    expect(() => parseCommand(["messages", "erase-number"])).toThrow(/one argument/);
    expect(() => parseCommand(["messages", "erase-number", "+1", "+2"])).toThrow(/one argument/);
  });
});
