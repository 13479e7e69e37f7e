import { describe, expect, it } from "vitest";
import { inChunks, PartlyStoredError, PublishNotStoredError, sendFitting } from "./publisher.ts";

// A publish in several envelopes that partly fails says which items are stored (ADR 0022):
// a caller answering per item must not answer "not stored" for a stored one.

const NOT_STORED = () => new PublishNotStoredError("not stored (no responders)");
const LOST_ACK = () => new Error("TimeoutError: timeout");
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);

async function failureOf(work: Promise<void>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a publish in several envelopes", () => {
  it("when the second of two chunks finds no stream, it names the first chunk's items as stored", async () => {
    const error = await failureOf(
      inChunks(
        numbers(250),
        async () => undefined,
        async (chunk) => {
          if (chunk.includes(200)) throw NOT_STORED();
        },
      ),
    );
    expect(error).toBeInstanceOf(PartlyStoredError);
    const partly = error as PartlyStoredError<number>;
    expect(partly.stored).toEqual(numbers(200));
    expect(partly.failure).toBeInstanceOf(PublishNotStoredError);
  });

  it("when every chunk finds no stream, the failure is a plain not stored", async () => {
    const error = await failureOf(
      inChunks(
        numbers(250),
        async () => undefined,
        async () => {
          throw NOT_STORED();
        },
      ),
    );
    expect(error).toBeInstanceOf(PublishNotStoredError);
  });

  it("when one failed chunk's outcome is unknown, the failure is unknown, not not stored", async () => {
    const error = await failureOf(
      inChunks(
        numbers(601),
        async () => {
          throw NOT_STORED();
        },
        async (chunk) => {
          if (chunk.includes(200)) throw LOST_ACK();
        },
      ),
    );
    const partly = error as PartlyStoredError<number>;
    expect(partly.stored).toEqual([...numbers(200), ...numbers(200).map((i) => i + 400)]);
    expect(partly.failure).not.toBeInstanceOf(PublishNotStoredError);
  });

  it("when one half of an envelope cut to fit fails, the other half's items are stored", async () => {
    const sent: number[][] = [];
    const error = await failureOf(
      sendFitting(
        numbers(8),
        (chunk) => ({ chunk, padding: "x".repeat(chunk.length * 100) }),
        async (chunk) => {
          sent.push(chunk);
          if (chunk.includes(7)) throw NOT_STORED();
        },
        250,
      ),
    );
    const partly = error as PartlyStoredError<number>;
    expect(partly).toBeInstanceOf(PartlyStoredError);
    expect([...partly.stored].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sent.flat().sort((a, b) => a - b)).toEqual(numbers(8));
  });
});
