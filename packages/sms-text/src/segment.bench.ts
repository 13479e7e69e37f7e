import { test } from "vitest";
import { countParts, segment } from "./segment.ts";

// The texts the gateway sees most: a short GSM-7 line, a 3-part GSM-7 text with escapes,
// and a 3-part UCS-2 text with emoji (surrogate pairs near the part boundaries).
const shortGsm = "Your code is 482913. It expires in 10 minutes.";
const longGsm = "Order #1234 shipped [tracking: ABC-123] {ETA} ~2 days €. ".repeat(7);
const longUcs2 = "Привет! Ваш заказ отправлен 😀 — спасибо. ".repeat(4);

test("segment: split into parts, as the connector does", async ({ bench }) => {
  await bench.compare(
    bench("1-part GSM-7", () => {
      segment(shortGsm);
    }),
    bench("3-part GSM-7 with escapes", () => {
      segment(longGsm);
    }),
    bench("3-part UCS-2 with emoji", () => {
      segment(longUcs2);
    }),
  );
});

test("countParts: what ingress and pricing bill", async ({ bench }) => {
  await bench.compare(
    bench("1-part GSM-7", () => {
      countParts(shortGsm);
    }),
    bench("3-part UCS-2 with emoji", () => {
      countParts(longUcs2);
    }),
  );
});
