import { describe, expect, it } from "vitest";
import { formatReceiptText, parseReceiptText } from "./receipt-text.ts";

describe("parseReceiptText", () => {
  it("when given the canonical form, it reads every field", () => {
    const text =
      "id:0123456789 sub:001 dlvrd:001 submit date:2301011200 done date:2301011201 stat:DELIVRD err:000 text:Hello world";
    expect(parseReceiptText(text)).toEqual({
      id: "0123456789",
      sub: "001",
      dlvrd: "001",
      submitDate: "2301011200",
      doneDate: "2301011201",
      stat: "DELIVRD",
      err: "000",
      text: "Hello world",
    });
  });

  it("when the SMSC left its C-string terminator in the text, the receipt ends there", () => {
    const base = "id:77 sub:001 dlvrd:000 submit date:2301011200 done date:2301011201";
    expect(parseReceiptText(`${base} stat:DELIVRD\u0000`)).toMatchObject({ stat: "DELIVRD" });
    expect(parseReceiptText(`${base} stat:UNDELIV err:001\u0000\u0000junk`)).toMatchObject({
      stat: "UNDELIV",
      err: "001",
    });
    expect(parseReceiptText(`${base}\r\nstat:DELIVRD\terr:000`)).toMatchObject({
      stat: "DELIVRD",
      err: "000",
    });
  });

  it("when Text: is capitalised, it still reads the text", () => {
    const text =
      "id:7220334459 sub:001 dlvrd:001 submit date:1503231459 done date:1503231459 stat:DELIVRD err:000 Text:Test message";
    expect(parseReceiptText(text)).toMatchObject({ id: "7220334459", text: "Test message" });
  });

  it("when dates have seconds (12 digits) and text is empty, it keeps them whole", () => {
    const text =
      "id:c449ab9744f47b6af1879e49e75e4f40 sub:001 dlvrd:000 submit date:160510235959 done date:160511000003 stat:UNDELIV err:001 text:";
    expect(parseReceiptText(text)).toMatchObject({
      id: "c449ab9744f47b6af1879e49e75e4f40",
      submitDate: "160510235959",
      doneDate: "160511000003",
      stat: "UNDELIV",
      err: "001",
      text: "",
    });
  });

  it("when the id is a UUID, a dotted id or hex, it is kept verbatim", () => {
    const ids = ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "1234.5678.90", "1A2B3C4D", "0x7fff"];
    for (const id of ids) {
      const text = `id:${id} sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 stat:DELIVRD err:000 text:x`;
      expect(parseReceiptText(text)?.id).toBe(id);
    }
  });

  it("when optional fields are missing, it returns what is there", () => {
    expect(parseReceiptText("id:12345 stat:REJECTD err:069")).toEqual({
      id: "12345",
      stat: "REJECTD",
      err: "069",
    });
  });

  it("when err is missing, it is the empty string", () => {
    expect(parseReceiptText("id:1 sub:001 dlvrd:001 stat:EXPIRED")).toEqual({
      id: "1",
      sub: "001",
      dlvrd: "001",
      stat: "EXPIRED",
      err: "",
    });
  });

  it("when there is extra whitespace around keys and values, it trims it", () => {
    const text =
      "  id: 98765   sub:001  dlvrd:000   submit date:2301011200   done  date:2301011300  stat:UNDELIV   err:034  text:  \r\n";
    expect(parseReceiptText(text)).toEqual({
      id: "98765",
      sub: "001",
      dlvrd: "000",
      submitDate: "2301011200",
      doneDate: "2301011300",
      stat: "UNDELIV",
      err: "034",
      text: "",
    });
  });

  it("when keys use other cases, underscores or another order, it still reads them", () => {
    const text = "ID:42 Stat:delivrd ERR:0 Submit_Date:2301011200 done_date:2301011201";
    expect(parseReceiptText(text)).toEqual({
      id: "42",
      stat: "DELIVRD",
      err: "0",
      submitDate: "2301011200",
      doneDate: "2301011201",
    });
  });

  it("when the text itself contains receipt keys, they stay in the text", () => {
    const text = "id:9 sub:001 dlvrd:001 stat:DELIVRD err:000 text:id:fake stat:REJECTD";
    expect(parseReceiptText(text)).toMatchObject({
      id: "9",
      stat: "DELIVRD",
      text: "id:fake stat:REJECTD",
    });
  });

  it("when the message is not a receipt, it returns null", () => {
    expect(parseReceiptText("Your code is 123456")).toBeNull();
    expect(parseReceiptText("order id:55 has shipped")).toBeNull();
    expect(parseReceiptText("")).toBeNull();
    expect(parseReceiptText("id: stat:DELIVRD")).toBeNull();
  });
});

describe("formatReceiptText", () => {
  it("when formatting, it writes the canonical form that parses back", () => {
    const text = formatReceiptText({
      id: "abc",
      stat: "DELIVRD",
      submitDate: new Date(Date.UTC(2024, 0, 15, 10, 30)),
      doneDate: "2401151031",
      text: "a long message that gets cut at twenty",
    });
    expect(text).toBe(
      "id:abc sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 stat:DELIVRD err:000 text:a long message that ",
    );
    expect(parseReceiptText(text)).toMatchObject({ id: "abc", stat: "DELIVRD", err: "000" });
  });
});
