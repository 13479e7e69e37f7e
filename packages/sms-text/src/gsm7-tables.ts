// GSM 03.38 (3GPP TS 23.038 §6.2.1) default alphabet and its extension table.

/** The escape septet: the next septet is looked up in the extension table. */
export const GSM7_ESCAPE = 0x1b;

/**
 * The basic table: the character at index `n` is septet `n`. Index 0x1B holds U+001B only as a
 * placeholder for the escape; U+001B in a text is not a GSM-7 character. Position 0x09 is
 * capital Ç, as the standard says (some mapping tables wrongly put ç there).
 */
export const GSM7_BASIC_TABLE =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** The extension table: septet after the escape -> character. Each costs two septets. */
export const GSM7_EXTENSION_TABLE: ReadonlyMap<number, string> = new Map([
  [0x0a, "\f"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "€"],
]);

// UTF-16 code unit -> septet, and -> width in septets (0 = not in GSM-7). All GSM-7 characters
// are in the BMP below U+20AD (€ is the highest), so a flat array is the cheap lookup.
const basicSeptetOf = new Map<number, number>();
const extensionSeptetOf = new Map<number, number>();
const widthOf = new Uint8Array(0x20ad);

for (let septet = 0; septet < GSM7_BASIC_TABLE.length; septet++) {
  if (septet === GSM7_ESCAPE) continue;
  const codeUnit = GSM7_BASIC_TABLE.charCodeAt(septet);
  basicSeptetOf.set(codeUnit, septet);
  widthOf[codeUnit] = 1;
}
for (const [septet, char] of GSM7_EXTENSION_TABLE) {
  const codeUnit = char.charCodeAt(0);
  extensionSeptetOf.set(codeUnit, septet);
  widthOf[codeUnit] = 2;
}

/** Septets needed for one UTF-16 code unit: 1 (basic), 2 (escape + extension), 0 (not GSM-7). */
export function gsm7Width(codeUnit: number): 0 | 1 | 2 {
  return (widthOf[codeUnit] ?? 0) as 0 | 1 | 2;
}

export function basicSeptetOfCodeUnit(codeUnit: number): number | undefined {
  return basicSeptetOf.get(codeUnit);
}

export function extensionSeptetOfCodeUnit(codeUnit: number): number | undefined {
  return extensionSeptetOf.get(codeUnit);
}
