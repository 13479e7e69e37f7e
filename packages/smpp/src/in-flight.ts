import { SmppResponseTimeoutError } from "./errors.ts";
import type { ResponsePdu } from "./pdu.ts";

type Pending = {
  readonly command: string;
  readonly usesSlot: boolean;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (pdu: ResponsePdu) => void;
  readonly reject: (error: Error) => void;
};

type Waiter = { readonly resolve: () => void; readonly reject: (error: Error) => void };

const MAX_SEQUENCE = 0x7fffffff;

/**
 * The requests awaiting a response, keyed by sequence number, and the window that caps them:
 * at most `windowSize` requests in flight, later callers wait in FIFO order. A slot is freed
 * when its response, generic_nack or timeout arrives.
 */
export class InFlight {
  readonly #windowSize: number;
  readonly #pending = new Map<number, Pending>();
  #waiters: Waiter[] = [];
  #slotsUsed = 0;
  #lastSequence = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(windowSize: number, lastSequence = 0) {
    if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError("windowSize >= 1");
    this.#windowSize = windowSize;
    this.#lastSequence = lastSequence;
  }

  get size(): number {
    return this.#pending.size;
  }

  get queued(): number {
    return this.#waiters.length;
  }

  /** Resolves once a window slot is ours; the caller must `track` or `release` it. */
  acquire(): Promise<void> {
    if (this.#slotsUsed < this.#windowSize && this.#waiters.length === 0) {
      this.#slotsUsed += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next)
      next.resolve(); // the slot passes straight on: no barging past the queue
    else this.#slotsUsed -= 1;
    this.#checkIdle();
  }

  /** Next sequence number: 1..0x7FFFFFFF, wrapping, skipping any still awaiting a response. */
  nextSequence(): number {
    do {
      this.#lastSequence = this.#lastSequence >= MAX_SEQUENCE ? 1 : this.#lastSequence + 1;
    } while (this.#pending.has(this.#lastSequence));
    return this.#lastSequence;
  }

  /** Awaits the response to `sequence`; `usesSlot` says whether it holds a window slot. */
  track(sequence: number, command: string, timeoutMs: number, usesSlot: boolean) {
    return new Promise<ResponsePdu>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reject(sequence, new SmppResponseTimeoutError(command, sequence, timeoutMs));
      }, timeoutMs);
      this.#pending.set(sequence, { command, usesSlot, timer, resolve, reject });
    });
  }

  commandOf(sequence: number): string | undefined {
    return this.#pending.get(sequence)?.command;
  }

  resolve(sequence: number, pdu: ResponsePdu): boolean {
    const entry = this.#take(sequence);
    entry?.resolve(pdu);
    return entry !== undefined;
  }

  reject(sequence: number, error: Error): boolean {
    const entry = this.#take(sequence);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Fails every caller still waiting for a slot (their request was never sent). */
  rejectQueued(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Fails everything: `sent` for requests on the wire, `queued` for those never sent. */
  rejectAll(sent: Error, queued: Error): void {
    this.rejectQueued(queued);
    for (const sequence of [...this.#pending.keys()]) this.reject(sequence, sent);
  }

  /** Resolves when nothing is in flight (or queued). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #take(sequence: number): Pending | undefined {
    const entry = this.#pending.get(sequence);
    if (entry === undefined) return undefined;
    this.#pending.delete(sequence);
    clearTimeout(entry.timer);
    if (entry.usesSlot) this.release();
    else this.#checkIdle();
    return entry;
  }

  #isIdle(): boolean {
    return this.#pending.size === 0 && this.#slotsUsed === 0 && this.#waiters.length === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
