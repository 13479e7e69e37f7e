import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// No repo.ts here (it loads every service's schema): test/e2e imports this file too.
const RUNBOOK = fileURLToPath(new URL("../../../docs/runbook.md", import.meta.url));

/**
 * The capacity planning figures of docs/runbook.md ("Capacity"), read from the text so that the
 * measurement (test/e2e stream-capacity) and the manifests are checked against what operators
 * read, not against a copy.
 */
export interface CapacityFigures {
  /** Stored bytes per delivered SMS the plan assumes ("**5,000 bytes per message**"). */
  bytesPerMessage: number;
  /** "messages per GiB | **214,000**". */
  messagesPerGiB: number;
}

const number = (text: string | undefined) => Number((text ?? "").replaceAll(",", ""));

export function capacityFigures(runbook = readFileSync(RUNBOOK, "utf8")): CapacityFigures {
  const section = runbook.split(/^## Capacity$/m)[1]?.split(/^## /m)[0] ?? "";
  const bytes = /\*\*([\d,]+) bytes per message\*\*/.exec(section)?.[1];
  const perGiB = /messages per GiB \| \*\*([\d,]+)\*\*/.exec(section)?.[1];
  if (!bytes || !perGiB) {
    throw new Error('docs/runbook.md "Capacity" lacks its bytes per message or messages per GiB');
  }
  return { bytesPerMessage: number(bytes), messagesPerGiB: number(perGiB) };
}
