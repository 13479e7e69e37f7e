import { test } from "vitest";
import { messageEvents } from "../testing/message-events.ts";
import { lateContentCandidates } from "./erasure.ts";

// What the append handler adds to every batch (ADR 0021): the walk over each new event's
// data that finds none with content on the normal path, per a message's whole life.
const m = messageEvents("msg_01JBENCHERASE000000000000");
const life = [
  m.accepted("2026-11-25T10:00:00.000Z", { parts: 3 }),
  m.submitted("2026-11-25T10:00:00.010Z", 3),
  m.receipt("2026-11-25T10:00:00.100Z", 1, "delivered"),
  m.receipt("2026-11-25T10:00:00.101Z", 2, "delivered"),
  m.receipt("2026-11-25T10:00:00.102Z", 3, "delivered"),
  m.webhookAttempted("2026-11-25T10:00:00.120Z", 1),
];

test("late content check: per message life", async ({ bench }) => {
  await bench("a 3-part message's events, none with late content", () => {
    lateContentCandidates(life);
  }).run();
});
