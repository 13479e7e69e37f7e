import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signedHeaders } from "./sign.ts";

const secret = (byte: number) => `whsec_${Buffer.alloc(24, byte).toString("base64")}`;

describe("signing a report (Standard Webhooks)", () => {
  const body = JSON.stringify({ messageId: "msg_1", status: "delivered", text: "ünïcode ✓" });
  const now = new Date("2026-12-05T10:00:00.000Z");

  it("when a rotation leaves two secrets, the reference library verifies the report with either", () => {
    const [newest, previous] = [secret(1), secret(2)];
    // The reference library refuses timestamps far from its own clock: sign at the present.
    const headers = signedHeaders([newest, previous], "msg_1:status:3", new Date(), body);
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const key of [newest, previous]) {
      expect(new Webhook(key).verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(secret(3)).verify(body, headers)).toThrow();
  });

  it("when signed by our HMAC and by the reference library, the signatures are the same", () => {
    const key = secret(7);
    const ours = signedHeaders([key], "msg_2:status:2", now, body)["webhook-signature"];
    expect(ours).toBe(new Webhook(key).sign("msg_2:status:2", now, body));
  });

  it("when a secret is not base64, signing throws instead of signing with garbage", () => {
    expect(() => signedHeaders(["whsec_not base64!"], "msg_3:status:2", now, body)).toThrow(
      /not base64/,
    );
  });
});
