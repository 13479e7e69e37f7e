import { describe, expect, it } from "vitest";
import { SmppResponseTimeoutError } from "./errors.ts";
import { InFlight } from "./in-flight.ts";
import type { ResponsePdu } from "./pdu.ts";

const resp = (sequenceNumber: number): ResponsePdu => ({
  command: "enquire_link_resp",
  commandStatus: 0,
  sequenceNumber,
});
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("InFlight", () => {
  it("when the window is full, later callers wait and get slots in FIFO order", async () => {
    const window = new InFlight(1);
    await window.acquire();
    const order: string[] = [];
    const b = window.acquire().then(() => order.push("b"));
    const c = window.acquire().then(() => order.push("c"));
    expect(window.queued).toBe(2);
    window.release();
    await b;
    expect(await settled(c)).toBe(false);
    window.release();
    await c;
    expect(order).toEqual(["b", "c"]);
  });

  it("when a response arrives, it resolves the request and frees its slot", async () => {
    const window = new InFlight(1);
    await window.acquire();
    const response = window.track(1, "enquire_link", 1_000, true);
    const next = window.acquire();
    expect(window.resolve(1, resp(1))).toBe(true);
    await expect(response).resolves.toEqual(resp(1));
    await next;
    expect(window.resolve(1, resp(1))).toBe(false);
  });

  it("when the timeout passes, it rejects with SmppResponseTimeoutError and frees the slot", async () => {
    const window = new InFlight(1);
    await window.acquire();
    const response = window.track(9, "submit_sm", 10, true);
    const next = window.acquire();
    await expect(response).rejects.toBeInstanceOf(SmppResponseTimeoutError);
    await next;
    expect(window.size).toBe(0);
  });

  it("when sequence numbers reach 0x7FFFFFFF, they wrap to 1 and skip numbers still in flight", () => {
    const window = new InFlight(10, 0x7ffffffe);
    expect(window.nextSequence()).toBe(0x7fffffff);
    void window.track(1, "enquire_link", 1_000, false).catch(() => undefined);
    expect(window.nextSequence()).toBe(2);
    window.rejectAll(new Error("sent"), new Error("queued"));
  });

  it("when everything is failed, sent and queued callers get their own errors", async () => {
    const window = new InFlight(1);
    await window.acquire();
    const sent = window.track(1, "submit_sm", 1_000, true);
    const queued = window.acquire();
    window.rejectAll(new Error("sent"), new Error("queued"));
    await expect(sent).rejects.toThrow("sent");
    await expect(queued).rejects.toThrow("queued");
    await expect(window.whenIdle()).resolves.toBeUndefined();
  });

  it("when requests are in flight, whenIdle waits for the last one", async () => {
    const window = new InFlight(2);
    await window.acquire();
    void window.track(1, "submit_sm", 1_000, true);
    const idle = window.whenIdle();
    expect(await settled(idle)).toBe(false);
    window.resolve(1, resp(1));
    await idle;
  });
});
