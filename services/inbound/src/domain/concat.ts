import type { InboundMessageReceived } from "@smsgw/contracts";
import { decodeReceivedText } from "@smsgw/sms-text";

/** One stored part of a concatenated MO (`inbound.parts`). */
export interface StoredPart {
  moId: string;
  seq: number;
  total: number;
  text: string;
  receivedAt: string;
  /**
   * The stream sequence of the event that brought it (its copy in the stream, to delete once
   * the MO is erased: ADR 0021, amendment 4); null for a part stored before that.
   */
  streamSeq: number | null;
  /** The data_coding its octets came with; null for a part stored before it was kept. */
  dataCoding: number | null;
  /**
   * Its octets after the UDH (the event's `octets`): the group's text is decoded from them
   * joined; null for a part whose event came without them (before the field), or stored before.
   */
  octets: Uint8Array | null;
}

/** An MO as the account sees it: one text, however many parts it came in. */
export interface JoinedMessage {
  id: string;
  text: string;
  parts: number;
  /** When its first part arrived. */
  receivedAt: string;
  /** Where its copies are in the stream (each part's event, later its delivery), ascending. */
  streamSeqs: readonly number[];
}

/**
 * The parts that belong together: the same carrier, sender, recipient, reference and total
 * (a handset's references cycle, so the reference alone is not enough).
 */
export function partGroupKey(
  mo: Pick<InboundMessageReceived, "carrierId" | "from" | "to"> & {
    part: { ref: number; total: number };
  },
): string {
  return JSON.stringify([mo.carrierId, mo.from, mo.to, mo.part.ref, mo.part.total]);
}

/** Where a group's parts came from and went to, read back from its key (the timeout sweep). */
export function groupAddressing(groupKey: string): { carrierId: string; from: string; to: string } {
  const [carrierId, from, to] = JSON.parse(groupKey) as [string, string, string];
  return { carrierId, from, to };
}

/** `in_` + the ULID of an `mo_` id: the inbound id a part (or a lone MO) gives. */
export function inboundIdOf(moId: string): string {
  return `in_${moId.replace(/^mo_/, "")}`;
}

/** Every part from 1 to total is there (a repeated seq counts once). */
export function isComplete(parts: readonly StoredPart[]): boolean {
  const total = parts[0]?.total ?? 0;
  const seen = new Set(parts.map((p) => p.seq));
  return total > 0 && seen.size === total;
}

/**
 * The parts joined in order into one message: complete, or (after the timeout) as far as they
 * came, a missing part simply absent. The id is the earliest part's (ULIDs sort by time), so
 * whichever replica or retry joins them names the message the same.
 */
export function joinParts(parts: readonly StoredPart[]): JoinedMessage {
  if (parts.length === 0) throw new Error("no parts to join");
  const bySeq = new Map<number, StoredPart>();
  for (const part of [...parts].sort((a, b) => a.seq - b.seq)) {
    if (!bySeq.has(part.seq)) bySeq.set(part.seq, part);
  }
  const ordered = [...bySeq.values()];
  const first = [...parts].sort((a, b) => (a.moId < b.moId ? -1 : a.moId > b.moId ? 1 : 0))[0];
  const earliest = [...parts].map((p) => p.receivedAt).sort()[0];
  return {
    id: inboundIdOf((first as StoredPart).moId),
    text: joinedText(ordered),
    parts: ordered.length,
    receivedAt: earliest as string,
    streamSeqs: streamCopies(parts.map((p) => p.streamSeq)),
  };
}

/**
 * The text of a group's parts (in part order, each seq once). Their octets are joined before
 * they are decoded, with the data_coding they share: a carrier may cut a part mid-character
 * (a GSM-7 escape at the end of one part and its code at the start of the next, a UCS-2
 * surrogate pair across two), which decoding each part alone garbles. Nothing joins across a
 * missing part (an overdue group): each run of consecutive parts is decoded on its own. When
 * a part has no octets (its event came before them) or the parts disagree on data_coding,
 * their texts are joined as they were decoded one by one.
 */
export function joinedText(ordered: readonly StoredPart[]): string {
  const texts = () => ordered.map((p) => p.text).join("");
  const dataCoding = ordered[0]?.dataCoding ?? null;
  if (dataCoding === null) return texts();
  const runs: Uint8Array[][] = [];
  let previousSeq = Number.NaN;
  for (const part of ordered) {
    if (part.octets === null || part.dataCoding !== dataCoding) return texts();
    const run = part.seq === previousSeq + 1 ? runs.at(-1) : undefined;
    if (run) run.push(part.octets);
    else runs.push([part.octets]);
    previousSeq = part.seq;
  }
  return runs.map((run) => decodeReceivedText(concatOctets(run), dataCoding)).join("");
}

function concatOctets(pieces: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(pieces.reduce((length, piece) => length + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

/** The stream copies named, each once, ascending (unknown ones left out). */
export function streamCopies(seqs: ReadonlyArray<number | null>): number[] {
  const known = seqs.filter((seq): seq is number => seq !== null);
  return [...new Set(known)].sort((a, b) => a - b);
}

/** A group is delivered as it is once its first part is this old. */
export function isOverdue(parts: readonly StoredPart[], now: Date, timeoutMs: number): boolean {
  const first = parts.map((p) => Date.parse(p.receivedAt)).sort((a, b) => a - b)[0];
  return first !== undefined && now.getTime() - first >= timeoutMs;
}

/**
 * Whether `part` belongs to another message than the group waiting under its key: a part of
 * the same position but another id and content (its octets and data_coding when both parts
 * have them, else its text). A carrier's repeat of a part has its content (it is dropped);
 * another content means the sender, number and reference came back for a new message
 * while an older one still waits for a part that will not come (a bind dropped between its
 * parts, the 8-bit reference reused), and joining the two would store neither as it was sent.
 */
export function supersedes(part: StoredPart, waiting: readonly StoredPart[]): boolean {
  return waiting.some((p) => p.seq === part.seq && p.moId !== part.moId && !sameContent(p, part));
}

function sameContent(a: StoredPart, b: StoredPart): boolean {
  if (a.octets === null || b.octets === null) return a.text === b.text;
  const [x, y] = [a.octets, b.octets];
  return a.dataCoding === b.dataCoding && x.length === y.length && x.every((o, i) => o === y[i]);
}

/**
 * What a group of waiting parts comes to now: joined when every part is there, or when the
 * first is older than the timeout (delivered as it is); null while it should wait.
 */
export function settleGroup(
  parts: readonly StoredPart[],
  now: Date,
  timeoutMs: number,
): JoinedMessage | null {
  if (parts.length === 0) return null;
  return isComplete(parts) || isOverdue(parts, now, timeoutMs) ? joinParts(parts) : null;
}
