import { describe, expect, it } from "vitest";
import { erasedAnswerBody } from "./erased-answer.ts";

describe("an idempotent answer after its message was erased", () => {
  it("when the answer is the message's resource, its number is masked and the keys keep their order", () => {
    const body = JSON.stringify({ messageId: "msg_1", status: "queued", to: "+37256781234" });
    expect(erasedAnswerBody(body, "msg_1")).toBe(
      '{"messageId":"msg_1","status":"queued","to":"+3725678****"}',
    );
  });

  it("when the answer is a batch, only that message's resource is masked", () => {
    const body = JSON.stringify({
      results: [
        { index: 0, messageId: "msg_1", resource: { messageId: "msg_1", to: "+37256781234" } },
        { index: 1, messageId: "msg_2", resource: { messageId: "msg_2", to: "+37256789999" } },
      ],
    });
    const erased = JSON.parse(erasedAnswerBody(body, "msg_1"));
    expect(erased.results[0].resource.to).toBe("+3725678****");
    expect(erased.results[1].resource.to).toBe("+37256789999");
  });

  it("when the message is not in it, or it is not JSON, the body is returned as it was", () => {
    const body = '{ "status": "invalid_phone", "message": "no" }';
    expect(erasedAnswerBody(body, "msg_1")).toBe(body);
    expect(erasedAnswerBody("not json", "msg_1")).toBe("not json");
  });
});
