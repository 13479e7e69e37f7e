import { test } from "vitest";
import { messageEvents } from "../testing/message-events.ts";
import { foldMessage } from "./fold.ts";
import { initialState } from "./message.ts";

// A message's whole life, folded as the event store does: in one batch, and event by event
// (each event in its own batch, the worst case at low load).
const m = messageEvents("msg_01JBENCHFOLD0000000000000");
const life = [
  m.accepted("2026-11-25T10:00:00.000Z", { parts: 3 }),
  m.charged("2026-11-25T10:00:00.001Z", 3),
  m.routed("2026-11-25T10:00:00.002Z"),
  m.submitted("2026-11-25T10:00:00.010Z", 3),
  m.receipt("2026-11-25T10:00:00.100Z", 1, "delivered"),
  m.receipt("2026-11-25T10:00:00.101Z", 2, "delivered"),
  m.receipt("2026-11-25T10:00:00.102Z", 3, "delivered"),
  m.webhookAttempted("2026-11-25T10:00:00.120Z", 1),
];
const start = initialState("msg_01JBENCHFOLD0000000000000", "acc_1");

test("status fold: the event store's projection", async ({ bench }) => {
  await bench.compare(
    bench("a 3-part message's life in one batch", () => {
      foldMessage(start, life);
    }),
    bench("the same, one event per batch", () => {
      let state = start;
      for (const event of life) state = foldMessage(state, [event]).state;
    }),
    bench("out of order (receipts before submitted)", () => {
      foldMessage(start, [...life].reverse());
    }),
  );
});
