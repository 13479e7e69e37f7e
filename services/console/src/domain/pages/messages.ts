import { MESSAGE_STATUSES } from "@smsgw/contracts";
import type { MessageDetail, MessageView } from "@smsgw/message-read-model";
import { CANCEL_NOTICES, type CancelNotice } from "../cancel.ts";
import { money, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import type { LogQuery } from "../log-filter.ts";
import { may } from "../roles.ts";
import type { TimelineEntry } from "../timeline.ts";
import { errorPage } from "./auth.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

/** A row of the log: the event store's message view (read functions), as it comes. */
export type LogRow = Pick<
  MessageView,
  "messageId" | "status" | "to" | "from" | "parts" | "cost" | "currency" | "createdAt"
>;

export function messagesPage(
  ctx: PageContext,
  query: LogQuery,
  rows: readonly LogRow[],
  nextCursor: string | null,
  problems: readonly string[],
): Html {
  const filters = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v && k !== "after") filters.set(k, v);
  const next = new URLSearchParams(filters);
  if (nextCursor) next.set("after", nextCursor);
  // The export takes the same filters and every page of them.
  const exportHref = `/messages/export.csv${filters.size > 0 ? `?${filters.toString()}` : ""}`;
  return layout(
    ctx,
    "Messages",
    "/messages",
    html`<form method="get" action="/messages" class="filters" role="search">
<label>Status <select name="status"><option value="">any</option>${MESSAGE_STATUSES.map((s) => html`<option${s === query.status ? html` selected` : ""}>${s}</option>`)}</select></label>
<label>To <input name="to" inputmode="tel" value="${query.to ?? ""}" placeholder="+37256789045"></label>
<label>Sender <input name="sender" value="${query.sender ?? ""}" placeholder="MyApp" maxlength="20"></label>
<label>From <input name="from" type="date" value="${query.from ?? ""}"></label>
<label>Until <input name="until" type="date" value="${query.until ?? ""}"></label>
<label>Message ID <input name="messageId" value="${query.messageId ?? ""}" placeholder="msg_…"></label>
<button type="submit">Filter</button> <a href="/messages">Clear</a>
<a href="${exportHref}" download data-testid="export-csv">Export CSV</a>
</form>
${problemList(problems)}
<div class="scroll"><table class="log"><caption class="sr-only">Messages, newest first</caption>
<thead><tr><th scope="col">Created</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Parts</th><th scope="col">Cost</th><th scope="col">Message</th></tr></thead>
<tbody>${
      rows.length === 0
        ? html`<tr><td colspan="6">No messages match.</td></tr>`
        : rows.map(
            (r) =>
              html`<tr><td>${when(r.createdAt)}</td><td>${r.to}</td><td><span class="status ${r.status}">${r.status}</span></td><td>${r.parts}</td><td>${money(r.cost, r.currency)}</td><td><a href="/messages/${r.messageId}">${r.messageId}</a></td></tr>`,
          )
    }</tbody></table></div>
${nextCursor ? html`<p><a rel="next" href="/messages?${next.toString()}">Older messages →</a></p>` : ""}`,
  );
}

export interface MessagePageView extends MessageDetail {
  timeline: TimelineEntry[];
  moreEvents: boolean;
  /** It waits for its sendAt (`awaitsSendAt`): a role that may send may cancel it. */
  cancelable: boolean;
  /** What the cancel just asked for came to (the redirect's `?cancel=`). */
  cancelNotice?: CancelNotice;
}

/** Another account's message, or none: the page and its cancel answer the same. */
export function messageNotFoundPage(ctx: PageContext): Html {
  return errorPage(ctx, 404, "Message not found", "There is no such message in your account.");
}

/**
 * The cancel form, for a message waiting for its sendAt and a role that may send (the server
 * refuses the others whatever the page shows). Not after a cancel the projection has not
 * folded yet: the notice says it is done.
 */
function cancelForm(ctx: PageContext, view: MessagePageView): Html {
  const offered =
    view.cancelable &&
    view.cancelNotice !== "canceled" &&
    ctx.role !== undefined &&
    may(ctx.role, "develop");
  if (!offered) return html``;
  return html`<form method="post" action="/messages/${view.messageId}/cancel" class="stack">${csrfField(ctx)}
<p class="hint">It waits for its scheduled time: canceled before then, it is never sent and its cost is refunded.</p>
<button type="submit" data-testid="cancel-scheduled">Cancel scheduled message</button>
</form>`;
}

function cancelNotice(notice: CancelNotice | undefined): Html {
  if (notice === undefined) return html``;
  if (notice === "canceled") {
    return html`<p class="notice" role="status" data-testid="cancel-notice">${CANCEL_NOTICES.canceled}</p>`;
  }
  return html`<p class="problems" role="alert" data-testid="cancel-notice">${CANCEL_NOTICES[notice]}</p>`;
}

export function messagePage(ctx: PageContext, view: MessagePageView): Html {
  const partRows = Array.from({ length: view.parts }, (_, i) => {
    const outcome = view.partOutcomes[String(i + 1)];
    return html`<tr><th scope="row">${i + 1}</th><td>${outcome?.status ?? (view.statusTimes.sent ? "sent" : "queued")}</td><td>${when(outcome?.at)}</td><td>${outcome?.status === "delivered" ? "" : (outcome?.errorCode ?? "")}</td></tr>`;
  });
  return layout(
    ctx,
    `Message ${view.messageId}`,
    "/messages",
    html`${cancelNotice(view.cancelNotice)}
<dl class="facts">
<dt>Status</dt><dd><span class="status ${view.status}" data-testid="status">${view.status}</span>${view.errorCode ? ` (error ${view.errorCode})` : ""}</dd>
<dt>To</dt><dd>${view.to}</dd><dt>From</dt><dd>${view.from}</dd>
<dt>Cost</dt><dd>${money(view.cost, view.currency)} for ${view.parts} part(s)</dd>
<dt>Created</dt><dd>${when(view.createdAt)}</dd>
${view.reference ? html`<dt>Reference</dt><dd>${view.reference}</dd>` : ""}
${view.sendAt ? html`<dt>Scheduled for</dt><dd data-testid="send-at">${when(view.sendAt)}</dd>` : ""}
${view.validUntil ? html`<dt>Valid until</dt><dd>${when(view.validUntil)}</dd>` : ""}
</dl>
${cancelForm(ctx, view)}
<h2>Parts</h2>
<table class="parts"><thead><tr><th scope="col">Part</th><th scope="col">Status</th><th scope="col">When</th><th scope="col">Error</th></tr></thead><tbody>${partRows}</tbody></table>
<h2>Timeline</h2>
<ol class="timeline">${view.timeline.map(
      (e) =>
        html`<li class="${e.tone}"><time datetime="${e.at}">${when(e.at)}</time><strong>${e.title}</strong>${e.detail ? html`<span>${e.detail}</span>` : ""}</li>`,
    )}</ol>
${view.moreEvents ? html`<p class="hint">The first 1,000 events are shown; the API pages the rest (GET /v1/messages/${view.messageId}/events).</p>` : ""}
<p><a href="/messages">← All messages</a></p>`,
  );
}
