/**
 * enquire_link policy: when nothing has been received for `intervalMs`, `ping()` (send
 * enquire_link and await its response); if the ping fails with a timeout, `onDead(error)`.
 * One ping at a time. `touch()` on every received PDU. An interval of 0 turns it off.
 */
export class Keepalive {
  readonly #intervalMs: number;
  readonly #ping: () => Promise<unknown>;
  readonly #onDead: (error: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #lastActivity = 0;
  #pinging = false;

  constructor(intervalMs: number, ping: () => Promise<unknown>, onDead: (error: Error) => void) {
    this.#intervalMs = intervalMs;
    this.#ping = ping;
    this.#onDead = onDead;
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#timer !== undefined) return;
    this.touch();
    this.#schedule(this.#intervalMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  touch(): void {
    this.#lastActivity = performance.now();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => this.#check(), delayMs);
  }

  #check(): void {
    const idle = performance.now() - this.#lastActivity;
    if (idle < this.#intervalMs) {
      this.#schedule(this.#intervalMs - idle);
      return;
    }
    this.touch();
    this.#schedule(this.#intervalMs);
    if (this.#pinging) return;
    this.#pinging = true;
    this.#ping().then(
      () => {
        this.#pinging = false;
      },
      (error: unknown) => {
        this.#pinging = false;
        if (this.#timer !== undefined)
          this.#onDead(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }
}
