import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  csvField,
  MESSAGE_CSV_COLUMNS,
  MESSAGE_CSV_HEADER,
  messageCsvChunks,
  messageCsvFileName,
  messageCsvRecord,
} from "./message-csv.ts";
import type { MessageView } from "./message-view.ts";

const view = (over: Partial<MessageView> = {}): MessageView => ({
  messageId: "msg_01",
  accountId: "acc_a",
  status: "delivered",
  to: "+37256789045",
  from: "MyApp",
  parts: 2,
  cost: 840,
  currency: "EUR",
  reference: null,
  errorCode: null,
  createdAt: "2026-12-05T10:00:00.000Z",
  updatedAt: "2026-12-05T10:00:03.000Z",
  statusTimes: {},
  sendAt: null,
  validUntil: null,
  ...over,
});

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const chunk of chunks) out += chunk;
  return out;
}

async function* pagesOf(...pages: MessageView[][]) {
  yield* pages;
}

describe("the message CSV", () => {
  it("when a message is written, its record has the header's columns, cost in currency units", () => {
    expect(MESSAGE_CSV_HEADER).toBe(
      "messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode\r\n",
    );
    expect(messageCsvRecord(view())).toBe(
      "msg_01,delivered,+37256789045,MyApp,2,0.084,EUR,2026-12-05T10:00:00.000Z,2026-12-05T10:00:03.000Z,\r\n",
    );
  });

  it("when a field holds a comma, a quote or a line break, it is quoted and a parser reads it back as it was", async () => {
    const awkward = view({ from: 'A,"B"\nC', errorCode: "unknown_subscriber" });
    const text = await collect(messageCsvChunks(pagesOf([awkward, view({ messageId: "msg_02" })])));
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {})).toEqual([...MESSAGE_CSV_COLUMNS]);
    expect(rows.map((r) => [r.messageId, r.from, r.errorCode])).toEqual([
      ["msg_01", 'A,"B"\nC', "unknown_subscriber"],
      ["msg_02", "MyApp", ""],
    ]);
  });

  it("when a field needs no quoting, it is written as it is", () => {
    expect(csvField("+37256789045")).toBe("+37256789045");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it("when a field would run as a formula in a spreadsheet, it is written inert with a leading quote; a plain number is not", () => {
    expect(csvField("=A1*100")).toBe("'=A1*100");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("-2+3+cmd")).toBe("'-2+3+cmd");
    expect(csvField("+A1")).toBe("'+A1");
    expect(csvField("\tTAB")).toBe("'\tTAB");
    expect(csvField('=HI("x")')).toBe(`"'=HI(""x"")"`);
    expect(csvField("+37256789045")).toBe("+37256789045");
    expect(csvField("-1.5")).toBe("-1.5");
    expect(csvField("MyApp=1")).toBe("MyApp=1");
  });

  it("when there are no messages, the export is the header alone", async () => {
    expect(await collect(messageCsvChunks(pagesOf()))).toBe(MESSAGE_CSV_HEADER);
  });
});

describe("the export's file name", () => {
  it("when made, it names the account and the second it was asked for, with nothing a header could trip on", () => {
    expect(messageCsvFileName('acc_1"; x', new Date("2026-12-05T10:11:12.345Z"))).toBe(
      "messages-acc_1x-2026-12-05-101112.csv",
    );
  });
});
