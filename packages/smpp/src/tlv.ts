import type { BodyReader, BodyWriter } from "./bytes.ts";
import { CommandStatus } from "./command-status.ts";
import { SmppDecodeError, SmppEncodeError } from "./errors.ts";

/** An optional parameter, kept generic so unknown tags survive a decode/encode round trip. */
export type Tlv = { readonly tag: number; readonly value: Buffer };

export const TlvTag = {
  receipted_message_id: 0x001e,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

export type TlvTagName = keyof typeof TlvTag;

/** Reads TLVs until the end of the body. */
export function readTlvs(reader: BodyReader): Tlv[] {
  const tlvs: Tlv[] = [];
  try {
    while (reader.remaining > 0) {
      const tag = reader.u16("tlv tag");
      const length = reader.u16("tlv length");
      tlvs.push({ tag, value: reader.octets(length, `tlv 0x${tag.toString(16)}`) });
    }
  } catch (error) {
    if (!(error instanceof SmppDecodeError)) throw error;
    throw new SmppDecodeError(error.message, CommandStatus.ESME_RINVOPTPARSTREAM);
  }
  return tlvs;
}

export function writeTlvs(writer: BodyWriter, tlvs: readonly Tlv[]): void {
  for (const { tag, value } of tlvs) {
    if (value.length > 0xffff) throw new SmppEncodeError(`tlv 0x${tag.toString(16)}: too long`);
    writer.u16(tag, "tlv tag").u16(value.length, "tlv length").octets(value);
  }
}

export function findTlv(tlvs: readonly Tlv[], tag: number): Buffer | undefined {
  return tlvs.find((t) => t.tag === tag)?.value;
}

const u8 = (tag: number, value: number): Tlv => ({ tag, value: Buffer.of(checked(value, 0xff)) });
const u16 = (tag: number, value: number): Tlv => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(checked(value, 0xffff));
  return { tag, value: b };
};

/** Builders for the TLVs we send. */
export const tlv = {
  receiptedMessageId: (id: string): Tlv => ({
    tag: TlvTag.receipted_message_id,
    value: Buffer.concat([Buffer.from(id, "latin1"), Buffer.of(0)]),
  }),
  messageState: (state: number): Tlv => u8(TlvTag.message_state, state),
  /** networkType: 1 ANSI-136, 2 IS-95, 3 GSM, 4 ANSI-41; errorCode is network specific. */
  networkErrorCode: (networkType: number, errorCode: number): Tlv => {
    const b = Buffer.alloc(3);
    b.writeUInt8(checked(networkType, 0xff));
    b.writeUInt16BE(checked(errorCode, 0xffff), 1);
    return { tag: TlvTag.network_error_code, value: b };
  },
  sarMsgRefNum: (ref: number): Tlv => u16(TlvTag.sar_msg_ref_num, ref),
  sarTotalSegments: (total: number): Tlv => u8(TlvTag.sar_total_segments, total),
  sarSegmentSeqnum: (seq: number): Tlv => u8(TlvTag.sar_segment_seqnum, seq),
  messagePayload: (bytes: Buffer): Tlv => ({ tag: TlvTag.message_payload, value: bytes }),
};

export type KnownTlvs = {
  receiptedMessageId?: string;
  messageState?: number;
  networkErrorCode?: { networkType: number; errorCode: number };
  sarMsgRefNum?: number;
  sarTotalSegments?: number;
  sarSegmentSeqnum?: number;
  messagePayload?: Buffer;
};

/** The TLVs we understand, typed. A value of the wrong size is left out, not thrown. */
export function readKnownTlvs(tlvs: readonly Tlv[]): KnownTlvs {
  const known: KnownTlvs = {};
  const get = (tag: number, size?: number) => {
    const value = findTlv(tlvs, tag);
    return value !== undefined && (size === undefined || value.length === size) ? value : undefined;
  };
  const id = get(TlvTag.receipted_message_id);
  // A C-octet string: it ends at its NUL, spaces around it dropped; a blank one is no id at all
  // (it would normalise to "", the key of every part accepted without a message_id).
  const idText = id?.toString("latin1").split("\0", 1)[0]?.trim();
  if (idText) known.receiptedMessageId = idText;
  const state = get(TlvTag.message_state, 1);
  if (state !== undefined) known.messageState = state.readUInt8(0);
  const nec = get(TlvTag.network_error_code, 3);
  if (nec !== undefined) {
    known.networkErrorCode = { networkType: nec.readUInt8(0), errorCode: nec.readUInt16BE(1) };
  }
  const ref = get(TlvTag.sar_msg_ref_num, 2);
  if (ref !== undefined) known.sarMsgRefNum = ref.readUInt16BE(0);
  const total = get(TlvTag.sar_total_segments, 1);
  if (total !== undefined) known.sarTotalSegments = total.readUInt8(0);
  const seq = get(TlvTag.sar_segment_seqnum, 1);
  if (seq !== undefined) known.sarSegmentSeqnum = seq.readUInt8(0);
  const payload = get(TlvTag.message_payload);
  if (payload !== undefined) known.messagePayload = payload;
  return known;
}

function checked(value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SmppEncodeError(`tlv value ${value} is not an integer in 0..${max}`);
  }
  return value;
}
