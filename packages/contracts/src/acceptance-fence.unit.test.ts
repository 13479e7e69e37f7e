import { describe, expect, it } from "vitest";
import { acceptanceVoid } from "./acceptance-fence.ts";

const publishBy = "2026-12-06T10:00:00.000Z";
const at = (iso: string) => Date.parse(iso);

describe("acceptanceVoid", () => {
  it("when the copy was stored before its publishBy, it stands", () => {
    expect(acceptanceVoid({ publishBy }, at("2026-12-06T09:59:59.999Z"))).toBe(false);
  });

  it("when the copy was stored at its publishBy, it stands", () => {
    expect(acceptanceVoid({ publishBy }, at(publishBy))).toBe(false);
  });

  it("when the copy was stored after its publishBy, it is void", () => {
    expect(acceptanceVoid({ publishBy }, at("2026-12-06T10:00:00.001Z"))).toBe(true);
  });

  it("when the event carries no publishBy (an older ingress), it is never void", () => {
    expect(acceptanceVoid({}, at("2030-01-01T00:00:00Z"))).toBe(false);
  });
});
