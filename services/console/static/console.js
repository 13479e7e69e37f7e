// The console's only script: copy buttons and the send form's live part count. Pages work
// without it. Loaded as a module from our own origin (the CSP allows nothing inline).
import { countParts } from "/static/sms-text/index.ts";

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const target = document.getElementById(button.dataset.copy);
    if (!target) return;
    try {
      await navigator.clipboard.writeText(target.textContent);
      button.textContent = "Copied";
    } catch {
      // No clipboard (plain HTTP on another host): select the text for Ctrl-C instead.
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Selected: press Ctrl-C";
    }
    setTimeout(() => {
      button.textContent = "Copy";
    }, 2000);
  });
}

for (const counter of document.querySelectorAll("[data-part-counter]")) {
  const input = document.getElementById(counter.dataset.partCounter);
  if (!input) continue;
  const update = () => {
    const { encoding, parts, units } = countParts(input.value);
    const unit = encoding === "gsm7" ? "GSM-7 characters" : "UCS-2 units";
    counter.textContent = `${units} ${unit}, ${parts} part${parts === 1 ? "" : "s"} (${encoding === "gsm7" ? "GSM-7" : "UCS-2"})`;
    counter.dataset.parts = String(parts);
    counter.dataset.encoding = encoding;
  };
  input.addEventListener("input", update);
  update();
}
