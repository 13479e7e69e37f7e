// Our splitter against an independent one: sms-segments-calculator (Twilio's, devDependency
// only). It has no 16-bit-reference mode, so it is compared with the default udh8 limits.
import { SegmentedMessage } from "sms-segments-calculator";
import { describe, expect, it } from "vitest";
import { encodePart } from "./encode-part.ts";
import { detectEncoding } from "./encoding.ts";
import { GSM7_BASIC_TABLE, GSM7_EXTENSION_TABLE } from "./gsm7-tables.ts";
import { SMS_LIMITS } from "./limits.ts";
import { countParts, segment } from "./segment.ts";

const SEED = 0x5e9_2025;
const RUNS = 3000;

/** mulberry32: a small seeded PRNG, so a failing case is reproduced by its seed and index. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pools of atoms. Emoji atoms are whole grapheme clusters: stray skin-tone modifiers and ZWJs
// are left out, because the oracle's grapheme splitter (grapheme-splitter 1.0.4) follows
// Unicode 10 rules where ours (Intl.Segmenter, ICU) follows current Unicode; the two disagree
// on such fragments. That is the one known exception, pinned below.
const GSM_BASIC = [...GSM7_BASIC_TABLE.replace("\u001b", "")];
const GSM_EXTENSION = [...GSM7_EXTENSION_TABLE.values()];
const LATIN1_NON_GSM = [..."çûôâêîëïÿáíóúãõÂÊÎÔÛÁÍÓÚÃÕÈÌÒÙÝýþÞðÐ«»©®°±²³µ¶·¸¹º¼½¾×÷¢`"];
const CURLY = [..."\u2018\u2019\u201c\u201d\u2013\u2026"];
const CYRILLIC = [..."абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"];
const LINE_BREAKS = ["\r\n", "\n", "\r"];
const EMOJI = ["😀", "🎉", "🚀", "👍", "❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "🇩🇪", "✅", "e\u0301"];

type Pool = readonly string[];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("empty pool");
  return item;
}

// Lengths cluster around the part boundaries of both encodings, where bugs live.
function targetLength(random: () => number): number {
  const boundaries = [0, 70, 134, 160, 201, 306, 459, 612];
  if (random() < 0.3) return Math.floor(random() * 700);
  return Math.max(0, pick(random, boundaries) + Math.floor(random() * 9) - 4);
}

function generate(random: () => number): string {
  const gsmOnly = random() < 0.5;
  const pools: Array<[Pool, number]> = gsmOnly
    ? [
        [GSM_BASIC, 1],
        [GSM_EXTENSION, random() * 0.5],
        [LINE_BREAKS, random() * 0.05],
      ]
    : [
        [GSM_BASIC, 1],
        [GSM_EXTENSION, random() * 0.3],
        [LINE_BREAKS, random() * 0.05],
        [LATIN1_NON_GSM, random() * 0.2],
        [CURLY, random() * 0.05],
        [CYRILLIC, random() * 2],
        [EMOJI, random() * 0.4],
      ];
  const weight = pools.reduce((sum, [, w]) => sum + w, 0);
  const length = targetLength(random);
  let text = "";
  while (text.length < length) {
    let roll = random() * weight;
    for (const [pool, w] of pools) {
      roll -= w;
      if (roll <= 0) {
        text += pick(random, pool);
        break;
      }
    }
  }
  if (!gsmOnly && random() < 0.9 && detectEncoding(text) === "gsm7") text += pick(random, CYRILLIC);
  return text;
}

function oracle(text: string) {
  const message = new SegmentedMessage(text);
  const encoding = message.encodingName === "GSM-7" ? "gsm7" : "ucs2";
  const bitsPerUnit = encoding === "gsm7" ? 7 : 16;
  return { encoding, parts: message.segmentsCount, units: message.messageSize / bitsPerUnit };
}

describe("against sms-segments-calculator", () => {
  it("when given any single BMP code unit, it agrees on the encoding and the units", () => {
    const disagreements: string[] = [];
    for (let codeUnit = 0; codeUnit <= 0xffff; codeUnit++) {
      const char = String.fromCharCode(codeUnit);
      const { encoding, units } = oracle(char);
      const ours = countParts(char);
      if (ours.encoding !== encoding || ours.units !== units) {
        disagreements.push(codeUnit.toString(16));
      }
    }
    expect(disagreements).toEqual([]);
  });

  it(`when given ${RUNS} seeded random texts, it agrees on the encoding and the part count`, () => {
    const random = prng(SEED);
    let ucs2 = 0;
    let multipart = 0;
    for (let run = 0; run < RUNS; run++) {
      const text = generate(random);
      const expected = oracle(text);
      const counted = countParts(text);
      const segmented = segment(text);
      const context = `seed ${SEED} run ${run}: ${JSON.stringify(text)}`;

      expect(counted, context).toEqual(expected);
      expect(
        { encoding: segmented.encoding, parts: segmented.parts.length, units: segmented.units },
        context,
      ).toEqual(expected);

      // The parts are the text, within the limits, and encode to exactly their units.
      expect(segmented.parts.map((part) => part.text).join(""), context).toBe(text);
      const limits = SMS_LIMITS[segmented.encoding];
      const capacity = segmented.parts.length === 1 ? limits.single : limits.udh8;
      const octetsPerUnit = segmented.encoding === "gsm7" ? 1 : 2;
      for (const part of segmented.parts) {
        expect(part.units, context).toBeLessThanOrEqual(capacity);
        expect(encodePart(part, segmented.encoding).length, context).toBe(
          part.units * octetsPerUnit,
        );
      }

      if (segmented.encoding === "ucs2") ucs2++;
      if (segmented.parts.length > 1) multipart++;
    }
    // The generator must exercise both encodings and long messages, or the test proves little.
    expect(ucs2).toBeGreaterThan(RUNS * 0.3);
    expect(RUNS - ucs2).toBeGreaterThan(RUNS * 0.3);
    expect(multipart).toBeGreaterThan(RUNS * 0.4);
  }, 60_000); // the oracle takes about 1.5 ms a text

  // The known exception: not GSM 03.38 but grapheme rules. Since Unicode 11 a skin-tone modifier
  // extends whatever precedes it, and ZWJ + pictograph joins any pictograph; the oracle's
  // splitter predates that, so it may cut there and save a part. We keep the clusters whole.
  // If this test fails, the oracle has caught up: drop the exception here and in the README.
  const CYR = "ж";
  it.each([
    ["a skin-tone modifier after a letter", `${CYR.repeat(66)}a🏽${CYR.repeat(65)}`, [66, 67, 1]],
    ["a pictograph after ZWJ", `${CYR.repeat(64)}👍\u200d😀${CYR.repeat(65)}`, [64, 67, 3]],
  ])(
    "when %s straddles a boundary, it keeps the cluster whole and takes one part more than the oracle",
    (_name, text, units) => {
      expect(oracle(text).parts).toBe(2);
      expect(countParts(text).parts).toBe(3);
      expect(segment(text).parts.map((part) => part.units)).toEqual(units);
    },
  );
});
