/**
 * The refusal of an array where one string belongs: a field repeated in a query or form
 * (`?text=a&text=b`) or a list in a JSON body (`"text": ["a"]`). The parsers hand both over
 * as the same array, so the message has to fit either.
 */
export function severalGiven(name: string, what = "string"): string {
  return `${name} must be one ${what}, not several (given twice, or as a list)`;
}
