import { when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { csrfField, type PageContext } from "./layout.ts";

export interface SenderIdRow {
  sender: string;
  status: "pending" | "approved" | "rejected";
  requestedAt: string;
  decidedAt: string | null;
}

const STATUS: Record<SenderIdRow["status"], string> = {
  pending: "waiting for the operator",
  approved: "approved",
  rejected: "rejected",
};

/**
 * The account's alphanumeric sender IDs (api.md section 5): where the operator turns the
 * registry on for a destination, only the approved ones pass there. Part of the numbers page:
 * numbers and sender IDs are the account's senders.
 */
export function senderIdsSection(
  ctx: PageContext,
  rows: readonly SenderIdRow[],
  typed: string,
): Html {
  const list =
    rows.length === 0
      ? html`<p id="no-sender-ids">No sender IDs asked for.</p>`
      : html`<div class="scroll"><table class="sender-ids"><caption class="sr-only">Sender IDs, oldest first</caption><thead><tr><th scope="col">Sender ID</th><th scope="col">Status</th><th scope="col">Asked</th><th scope="col">Decided</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${rows.map(
          (r) =>
            html`<tr data-sender-id="${r.sender}"><td><code>${r.sender}</code></td><td><span class="status ${r.status}">${STATUS[r.status]}</span></td><td><time datetime="${r.requestedAt}">${when(r.requestedAt)}</time></td><td>${when(r.decidedAt)}</td>
<td><form method="post" action="/sender-ids/${encodeURIComponent(r.sender)}/withdraw" class="inline">${csrfField(ctx)}<button type="submit" aria-label="Withdraw ${r.sender}">Withdraw</button></form></td></tr>`,
        )}</tbody></table></div>`;
  return html`<h2>Sender IDs</h2>
<p>Some destinations take an alphanumeric sender (a brand name such as <code>MyShop</code>) only when the operator has approved it for your account. Ask for yours here; messages from it are refused there with <code>invalid_sender</code> until it is approved.</p>
${list}
<form method="post" action="/sender-ids" class="stack">${csrfField(ctx)}
<label for="sender-id">Sender ID <span class="hint">(up to 11 letters, digits, spaces or punctuation)</span></label>
<input id="sender-id" name="sender" maxlength="11" required value="${typed}" placeholder="MyShop">
<button type="submit">Ask for this sender ID</button>
</form>`;
}
