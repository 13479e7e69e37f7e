import { HEADER_LENGTH, MAX_PDU_LENGTH } from "./codec.ts";
import { CommandStatus } from "./command-status.ts";
import { SmppDecodeError } from "./errors.ts";

/**
 * Cuts a TCP byte stream into whole PDU frames: a frame may arrive in many chunks (even one
 * byte at a time) and one chunk may hold several frames. A command_length below 16 or above
 * 64 KiB means the stream is out of sync: `push` throws SmppDecodeError and every later call
 * throws again (the connection has to go).
 *
 * Bytes are only concatenated once a whole frame (or length field) is there, so trickling a
 * frame in byte by byte costs O(n), not O(n²).
 */
export class FrameSplitter {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #expected: number | undefined;
  #failure: SmppDecodeError | undefined;

  /** Bytes received but not yet part of a returned frame. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.#failure) throw this.#failure;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#expected === undefined) {
        if (this.#buffered < 4) break;
        const length = this.#take(4, false).readUInt32BE(0);
        if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
          this.#failure = new SmppDecodeError(
            `command_length ${length} is outside ${HEADER_LENGTH}..${MAX_PDU_LENGTH}`,
            CommandStatus.ESME_RINVCMDLEN,
          );
          throw this.#failure;
        }
        this.#expected = length;
      }
      if (this.#buffered < this.#expected) break;
      frames.push(this.#take(this.#expected, true));
      this.#expected = undefined;
    }
    return frames;
  }

  /** The first `n` buffered bytes, consumed or only peeked. */
  #take(n: number, consume: boolean): Buffer {
    let first = this.#chunks[0];
    if (first === undefined || first.length < n) {
      first = Buffer.concat(this.#chunks);
      this.#chunks = [first];
    }
    if (!consume) return first.subarray(0, n);
    const frame = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return frame;
  }
}
