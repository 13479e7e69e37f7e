import { CommandStatus } from "./command-status.ts";
import { SmppDecodeError, SmppEncodeError } from "./errors.ts";

/** Reads a PDU body field by field; every overrun is an SmppDecodeError, never a RangeError. */
export class BodyReader {
  readonly #buf: Buffer;
  #offset: number;

  constructor(buf: Buffer, offset = 0) {
    this.#buf = buf;
    this.#offset = offset;
  }

  get remaining(): number {
    return this.#buf.length - this.#offset;
  }

  u8(field: string): number {
    this.#need(1, field);
    const value = this.#buf.readUInt8(this.#offset);
    this.#offset += 1;
    return value;
  }

  u16(field: string): number {
    this.#need(2, field);
    const value = this.#buf.readUInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  octets(length: number, field: string): Buffer {
    this.#need(length, field);
    // A copy: decoded PDUs must not pin (or alias) the socket's receive buffer.
    const value = Buffer.from(this.#buf.subarray(this.#offset, this.#offset + length));
    this.#offset += length;
    return value;
  }

  /**
   * A C-octet string: bytes up to a NUL. Lenient on length (peers exceed the spec's maxima and
   * losing a message_id is worse than accepting a long one); strict on the terminator.
   */
  cString(field: string): string {
    const end = this.#buf.indexOf(0, this.#offset);
    if (end === -1) {
      throw new SmppDecodeError(`${field}: C-octet string has no NUL terminator`, INVLEN);
    }
    const value = this.#buf.toString("latin1", this.#offset, end);
    this.#offset = end + 1;
    return value;
  }

  #need(length: number, field: string): void {
    if (this.remaining < length) {
      throw new SmppDecodeError(`${field}: runs past the end of the PDU`, INVLEN);
    }
  }
}

const INVLEN = CommandStatus.ESME_RINVCMDLEN;

/** Builds a PDU body; values out of range are an SmppEncodeError. */
export class BodyWriter {
  readonly #parts: Buffer[] = [];

  u8(value: number, field: string): this {
    checkInt(value, 0xff, field);
    this.#parts.push(Buffer.of(value));
    return this;
  }

  u16(value: number, field: string): this {
    checkInt(value, 0xffff, field);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    this.#parts.push(b);
    return this;
  }

  octets(value: Buffer): this {
    this.#parts.push(value);
    return this;
  }

  /** `max` counts the terminating NUL, as the spec's tables do (system_id: 16). */
  cString(value: string, max: number, field: string): this {
    if (value.length > max - 1) {
      throw new SmppEncodeError(`${field}: ${value.length} chars, at most ${max - 1} allowed`);
    }
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0 || c > 0xff) throw new SmppEncodeError(`${field}: character ${c} not allowed`);
    }
    this.#parts.push(Buffer.from(value, "latin1"), Buffer.of(0));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function checkInt(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SmppEncodeError(`${field}: ${value} is not an integer in 0..${max}`);
  }
}
