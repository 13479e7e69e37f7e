import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { encodePdu } from "./codec.ts";
import { rawBoundClient } from "./raw-peer.testing.ts";
import { createSmppServer } from "./server.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe("a peer that stops reading", () => {
  it("when it keeps sending but never reads the answers, the server stops reading it instead of buffering answers without bound", async () => {
    let answered = 0;
    const server = createSmppServer({
      onBind: () => 0,
      onSession: (session) =>
        session.on("pdu", (direction) => {
          if (direction === "out") answered += 1;
        }),
      enquireLinkMs: 0,
    });
    const { port } = await server.listen(0);
    cleanups.push(() => server.close());
    const peer = await rawBoundClient(port);
    cleanups.push(async () => peer.socket.destroy());

    // 1,000,000 enquire_link (16 MB), each asking for a 16-byte answer nobody reads.
    peer.socket.pause();
    const count = 1_000_000;
    const frame = encodePdu({ command: "enquire_link", commandStatus: 0, sequenceNumber: 2 });
    peer.socket.write(Buffer.alloc(frame.length * count, frame));

    // The answers stop where the buffers between us are full, far short of the requests.
    let before = -1;
    for (let i = 0; i < 40 && answered !== before; i++) {
      before = answered;
      await sleep(250);
    }
    expect(answered).toBe(before);
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(count / 2);

    // Once it reads again, the rest is served (polled: on a slow host a quarter of a second
    // may pass before the first buffered answer is taken).
    peer.socket.resume();
    const drained = answered;
    for (let i = 0; i < 40 && answered === drained; i++) await sleep(250);
    expect(answered).toBeGreaterThan(drained);
  });
});
