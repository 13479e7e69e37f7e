import { describe, expect, it } from "vitest";
import { parseLogFilter } from "./log-filter.ts";

describe("the message log's filters", () => {
  it("when every field is given, it reads each into the filter (until is inclusive)", () => {
    const { filter, problems } = parseLogFilter({
      status: "delivered",
      to: "+372 5678 9045",
      sender: " MyApp ",
      from: "2026-11-01",
      until: "2026-11-24",
      messageId: "msg_01JDX1Y2Z3A4B5C6D7E8F9G0H1",
    });
    expect(problems).toEqual([]);
    expect(filter).toEqual({
      status: "delivered",
      to: "+37256789045",
      from: "MyApp",
      since: new Date("2026-11-01T00:00:00Z"),
      until: new Date("2026-11-25T00:00:00Z"),
      messageId: "msg_01JDX1Y2Z3A4B5C6D7E8F9G0H1",
    });
  });

  it("when fields are malformed, it names each problem and leaves them out", () => {
    const { filter, problems } = parseLogFilter({
      status: "lost",
      to: "5678",
      sender: "A sender that is far too long",
      from: "yesterday",
      messageId: "x",
    });
    expect(filter).toEqual({});
    expect(problems).toHaveLength(5);
  });

  it("when a date falls outside the years 1-9999 (until counts the day after), it is a problem, not a query", () => {
    const { filter, problems } = parseLogFilter({ from: "0000-01-01", until: "9999-12-31" });
    expect(filter).toEqual({});
    expect(problems).toEqual([
      "From must be a date such as 2026-11-25.",
      "Until must be a date such as 2026-11-25.",
    ]);
    expect(parseLogFilter({ from: "0001-01-01", until: "9999-12-30" })).toEqual({
      filter: {
        since: new Date("0001-01-01T00:00:00Z"),
        until: new Date("9999-12-31T00:00:00Z"),
      },
      problems: [],
    });
  });
});
