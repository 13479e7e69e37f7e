import { describe, expect, it } from "vitest";
import { type CallbackStatusesOptions, readCallbackStatuses } from "./callback-statuses.ts";

const COMPATIBLE: CallbackStatusesOptions = { allowArray: false };
const V1: CallbackStatusesOptions = { allowArray: true };

function mask(value: unknown, options = V1) {
  const result = readCallbackStatuses(value, options);
  if (!result.ok) throw new Error(`expected a mask, got: ${result.error.message}`);
  return result.value;
}

function problem(value: unknown, options = V1): string {
  const result = readCallbackStatuses(value, options);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  expect(result.error.status).toBe("invalid_params");
  return result.error.message;
}

describe("readCallbackStatuses", () => {
  it("when it is absent, null or empty, it is the default (null: the event carries no field)", () => {
    expect(mask(undefined)).toBeNull();
    expect(mask(null)).toBeNull();
    expect(mask("", COMPATIBLE)).toBeNull();
  });

  it("when it is the default written out, sent,final or every status by name, it is still null", () => {
    expect(mask("sent,final", COMPATIBLE)).toBeNull();
    expect(mask("final,sent", COMPATIBLE)).toBeNull();
    expect(mask("sent,delivered,undelivered,expired,failed", COMPATIBLE)).toBeNull();
    expect(mask(["sent", "final"])).toBeNull();
  });

  it("when it is final, it expands to every final status", () => {
    expect(mask("final", COMPATIBLE)).toEqual(["delivered", "undelivered", "expired", "failed"]);
  });

  it("when it is sent, only sent is reported", () => {
    expect(mask("sent", COMPATIBLE)).toEqual(["sent"]);
  });

  it("when it names statuses, they come out once each, in the vocabulary's order", () => {
    expect(mask("failed,delivered,delivered", COMPATIBLE)).toEqual(["delivered", "failed"]);
    expect(mask("undelivered,final", COMPATIBLE)).toEqual([
      "delivered",
      "undelivered",
      "expired",
      "failed",
    ]);
  });

  it("when items have spaces around them or a trailing comma, they are read anyway", () => {
    expect(mask(" sent , delivered ,", COMPATIBLE)).toEqual(["sent", "delivered"]);
  });

  it("when a JSON body gives an array of strings, it is read as the list", () => {
    expect(mask(["delivered", "expired"])).toEqual(["delivered", "expired"]);
    expect(mask(["final"])).toEqual(["delivered", "undelivered", "expired", "failed"]);
  });

  it("when it asks for queued, it is refused: queued is never reported", () => {
    expect(problem("queued", COMPATIBLE)).toMatch(/^callbackStatuses cannot ask for queued/);
    expect(problem(["sent", "queued"])).toMatch(/^callbackStatuses cannot ask for queued/);
  });

  it("when it names an unknown status, it is refused naming the field, the value and the choices", () => {
    expect(problem("sent,read", COMPATIBLE)).toBe(
      'callbackStatuses has an unknown status "read"; use sent, final or a list of sent, delivered, undelivered, expired, failed',
    );
    // Names are matched exactly, as everywhere else in the API.
    expect(problem("Sent", COMPATIBLE)).toMatch(/unknown status "Sent"/);
  });

  it("when an unknown value is long, the message echoes only its start", () => {
    const message = problem("x".repeat(5_000), COMPATIBLE);
    expect(message).toContain(`"${"x".repeat(40)}…"`);
    expect(message.length).toBeLessThan(200);
  });

  it("when it names no status at all, it is refused", () => {
    expect(problem(",", COMPATIBLE)).toMatch(/^callbackStatuses names no status/);
    expect(problem([])).toMatch(/^callbackStatuses names no status/);
  });

  it("when the compatible endpoint gets it twice or as a JSON list, it is refused saying both", () => {
    expect(problem(["sent", "final"], COMPATIBLE)).toBe(
      "callbackStatuses must be one comma-separated string, not several (given twice, or as a list)",
    );
  });

  it("when it is neither a string nor a list of strings, it is refused", () => {
    expect(problem(5, COMPATIBLE)).toBe("callbackStatuses must be a comma-separated string");
    expect(problem({ sent: true })).toBe(
      "callbackStatuses must be a comma-separated string or an array of strings",
    );
    expect(problem(["sent", 1])).toBe("callbackStatuses must list statuses as strings");
  });
});
