import { when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";
import { type SenderIdRow, senderIdsSection } from "./sender-ids.ts";

export interface NumberRow {
  number: string;
  country: string;
  inboundUrl: string | null;
  createdAt: string;
}

export interface NumbersView {
  numbers: readonly NumberRow[];
  /** A test account takes simulator numbers only (said on the page). */
  test: boolean;
  notice?: string;
  problems?: string[];
  /** What the take form had, when it is shown again with problems. */
  form?: { country: string; number: string };
  senderIds: readonly SenderIdRow[];
  /** What the sender ID form had, when it is shown again with a problem. */
  senderForm?: string;
}

function numberRow(ctx: PageContext, n: NumberRow): Html {
  const path = `/numbers/${encodeURIComponent(n.number)}`;
  const id = `inbound-url-${n.number.slice(1)}`;
  return html`<tr data-number="${n.number}"><td><code>${n.number}</code></td><td>${n.country}</td><td><time datetime="${n.createdAt}">${when(n.createdAt)}</time></td>
<td><form method="post" action="${path}/inbound-url" class="inline">${csrfField(ctx)}<label class="sr-only" for="${id}">Inbound URL of ${n.number}</label><input id="${id}" name="inboundUrl" type="url" value="${n.inboundUrl ?? ""}" placeholder="the account's default callback URL"> <button type="submit" aria-label="Save the inbound URL of ${n.number}">Save</button></form></td>
<td><form method="post" action="${path}/release" class="inline">${csrfField(ctx)}<button type="submit" aria-label="Release ${n.number}">Release</button></form></td></tr>`;
}

/** The account's numbers (api.md section 5): take one by country, set its inbound URL, release it. */
export function numbersPage(ctx: PageContext, view: NumbersView): Html {
  const form = view.form ?? { country: "EE", number: "" };
  const list =
    view.numbers.length === 0
      ? html`<p id="no-numbers">No numbers yet: take one below to receive messages (and to send from it).</p>`
      : html`<div class="scroll"><table class="numbers"><caption class="sr-only">Your numbers</caption><thead><tr><th scope="col">Number</th><th scope="col">Country</th><th scope="col">Taken</th><th scope="col">Inbound URL</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${view.numbers.map((n) => numberRow(ctx, n))}</tbody></table></div>`;
  return layout(
    ctx,
    "Numbers",
    "/numbers",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
<p>Messages to your numbers arrive on the <a href="/inbound">Inbound</a> page and are POSTed, signed like delivery reports, to the number's inbound URL (or, without one, to the account's default callback URL). A number you hold is always a valid sender for your messages.</p>
${list}
<h2>Take a number</h2>
${view.test ? html`<p class="hint">This is a test account: it gets simulator numbers only.</p>` : ""}
<form method="post" action="/numbers" class="stack">${csrfField(ctx)}
<label for="take-country">Country <span class="hint">(two-letter code)</span></label>
<input id="take-country" name="country" maxlength="2" value="${form.country}" autocapitalize="characters">
<label for="take-number">Or this number <span class="hint">(optional, international form)</span></label>
<input id="take-number" name="number" inputmode="tel" maxlength="24" value="${form.number}" placeholder="+37250000001">
<button type="submit">Take number</button>
</form>
${senderIdsSection(ctx, view.senderIds, view.senderForm ?? "")}`,
  );
}
