import { LiveRequestForm } from "@smsgw/contracts";

/** The going-live form as typed (strings), shown again with its problems when refused. */
export interface LiveFormInput {
  company: string;
  monthlyVolume: string;
  useCase: string;
}

/**
 * The going-live form read as pricing will check it (contracts LiveRequestForm): the volume
 * may be typed with spaces, commas or underscores between thousands ("50 000"). Problems are
 * sentences for the page.
 */
export function readLiveForm(
  input: LiveFormInput,
): { ok: true; value: LiveRequestForm } | { ok: false; problems: string[] } {
  const digits = input.monthlyVolume.replace(/[\s,_]/g, "");
  const volume = /^[0-9]{1,10}$/.test(digits) ? Number(digits) : Number.NaN;
  const parsed = LiveRequestForm.safeParse({
    company: input.company,
    monthlyVolume: volume,
    useCase: input.useCase,
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
  const problems: string[] = [];
  if (fields.has("company")) problems.push("Give your company's name (at most 200 characters).");
  if (fields.has("monthlyVolume")) {
    problems.push("Give the expected monthly volume as a whole number of messages, e.g. 50000.");
  }
  if (fields.has("useCase")) {
    problems.push("Tell us what you send and to whom (at most 2,000 characters).");
  }
  return { ok: false, problems };
}
