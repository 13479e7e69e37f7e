import { when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface OptOutRow {
  number: string;
  since: string;
  /** The keyword that put it there (STOP, …) or API. */
  source: string;
}

export interface OptOutsView {
  /** One page of the list, oldest first. */
  optOuts: readonly OptOutRow[];
  /** Where the next page starts; null on the last. */
  nextCursor?: string | null;
  notice?: string;
  problems?: string[];
  /** The add form's number, when it is shown again with a problem. */
  number?: string;
}

/** The account's opt-out list (api.md section 5): sends to these numbers are refused, never charged. */
export function optOutsPage(ctx: PageContext, view: OptOutsView): Html {
  const list =
    view.optOuts.length === 0
      ? html`<p id="no-opt-outs">Nobody has opted out.</p>`
      : html`<div class="scroll"><table class="opt-outs"><caption class="sr-only">Opted-out numbers, oldest first</caption><thead><tr><th scope="col">Number</th><th scope="col">Since</th><th scope="col">How</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${view.optOuts.map(
          (o) =>
            html`<tr data-opt-out="${o.number}"><td><code>${o.number}</code></td><td><time datetime="${o.since}">${when(o.since)}</time></td><td>${o.source === "API" ? "added by you" : `replied ${o.source}`}</td>
<td><form method="post" action="/opt-outs/${encodeURIComponent(o.number)}/remove" class="inline">${csrfField(ctx)}<button type="submit" aria-label="Remove ${o.number}">Remove</button></form></td></tr>`,
        )}</tbody></table></div>`;
  return layout(
    ctx,
    "Opt-outs",
    "/opt-outs",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
<p>Messages to these numbers are refused with <code>opted_out</code> and never charged. A reply of STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT to one of your numbers adds its sender; START, UNSTOP or YES removes it. Remove a number only when its owner asked to hear from you again.</p>
${list}
${view.nextCursor ? html`<p><a rel="next" href="/opt-outs?${new URLSearchParams({ cursor: view.nextCursor }).toString()}">More opted-out numbers →</a></p>` : ""}
<h2>Add a number</h2>
<form method="post" action="/opt-outs" class="stack">${csrfField(ctx)}
<label for="opt-out-number">Number <span class="hint">(international form)</span></label>
<input id="opt-out-number" name="number" inputmode="tel" maxlength="24" required value="${view.number ?? ""}" placeholder="+37256789045">
<button type="submit">Add to the list</button>
</form>`,
  );
}
