import type { InboundView } from "@smsgw/contracts";
import { when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { layout, type PageContext, problemList } from "./layout.ts";

/** A row of the page: an inbound message as the API shows it. */
export type InboundRow = InboundView;

/**
 * The account's inbound messages, newest first, a page at a time on the service's cursor.
 * The text is the sender's, shown through the escaping template like any other value; an
 * erased one (the account's retention, ADR 0021) says so.
 */
export function inboundPage(
  ctx: PageContext,
  rows: readonly InboundRow[],
  nextCursor: string | null,
  problems: readonly string[],
): Html {
  return layout(
    ctx,
    "Inbound messages",
    "/inbound",
    html`${problemList(problems)}
<p>Messages sent to your <a href="/numbers">numbers</a>, newest first. STOP and the other opt-out keywords put the sender on your <a href="/opt-outs">opt-out list</a>, and are listed here too.</p>
<div class="scroll"><table class="inbound"><caption class="sr-only">Inbound messages, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Text</th><th scope="col">Parts</th></tr></thead>
<tbody>${
      rows.length === 0
        ? html`<tr><td colspan="5" id="no-inbound">No inbound messages yet.</td></tr>`
        : rows.map(
            (r) =>
              html`<tr data-inbound="${r.id}"><td><time datetime="${r.receivedAt}">${when(r.receivedAt)}</time></td><td>${r.from}</td><td>${r.to}</td><td class="text">${r.text ?? html`<em>erased</em>`}</td><td>${r.parts}</td></tr>`,
          )
    }</tbody></table></div>
${nextCursor ? html`<p><a rel="next" href="/inbound?${new URLSearchParams({ cursor: nextCursor }).toString()}">Older messages →</a></p>` : ""}`,
  );
}
