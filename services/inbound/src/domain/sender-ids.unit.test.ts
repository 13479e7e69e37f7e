import { describe, expect, it } from "vitest";
import { readSenderIdRequest, senderIdResource } from "./sender-ids.ts";

describe("asking for a sender ID", () => {
  it("when it is alphanumeric, it is taken trimmed", () => {
    expect(readSenderIdRequest("  My Brand ")).toEqual({ ok: true, value: "My Brand" });
  });

  it("when it is numeric, malformed or too long, it is refused saying why", () => {
    expect(readSenderIdRequest("+37250000001")).toMatchObject({
      ok: false,
      message: /POST \/v1\/numbers/,
    });
    expect(readSenderIdRequest("Bränd")).toMatchObject({ ok: false });
    expect(readSenderIdRequest("TwelveLetter")).toMatchObject({ ok: false });
    expect(readSenderIdRequest(42)).toMatchObject({ ok: false });
  });

  it("when shown to the account, it has its status and the decision's time", () => {
    const requestedAt = new Date("2026-12-06T05:00:00Z");
    expect(
      senderIdResource({
        accountId: "acc_a",
        sender: "MyBrand",
        status: "pending",
        requestedAt,
        decidedAt: null,
      }),
    ).toEqual({
      sender: "MyBrand",
      status: "pending",
      requestedAt: "2026-12-06T05:00:00.000Z",
      decidedAt: null,
    });
  });
});
