import { type Html, html } from "../html.ts";
import {
  copyable,
  csrfField,
  layout,
  type PageContext,
  problemList,
  reauthFields,
} from "./layout.ts";

export interface SmppView {
  /** The account's system_id; null before its first credentials. Never the password. */
  systemId: string | null;
  /** Where customers bind (PUBLIC_SMPP_ADDRESS), `host:port`. */
  address: string;
  /** Present only on the answer to a rotation: the password is shown this once. */
  rotated?: { systemId: string; password: string };
  notice?: string;
  problems?: string[];
}

/** The URL SMPP clients take (the local stack prints the demo account's the same way). */
export function smppUrl(address: string, systemId: string, password: string): string {
  return `smpp://${systemId}:${password}@${address}`;
}

function current(view: SmppView): Html {
  if (view.rotated) {
    const { systemId, password } = view.rotated;
    return html`<div class="once" role="status"><p><strong>Copy your SMPP password now.</strong> It is shown this once; we keep only a slow hash of it. Lost it? Rotate below.</p>
${copyable("smpp-system-id", "system_id", systemId)}
${copyable("smpp-password", "password", password)}
${copyable("smpp-url", "SMPP URL", smppUrl(view.address, systemId, password))}
</div>`;
  }
  if (view.systemId === null) {
    return html`<p id="no-smpp">No SMPP credentials yet: create them below to bind.</p>`;
  }
  return html`${copyable("smpp-system-id", "system_id", view.systemId)}
<p class="secret"><span class="label">password</span> hidden: it was shown when it was made. Rotate to get a new one.</p>`;
}

/** The account's SMPP credentials (api.md section 6): its system_id, rotation with the password shown once. */
export function smppPage(ctx: PageContext, view: SmppView): Html {
  const verb = view.systemId === null && !view.rotated ? "Create" : "Rotate";
  return layout(
    ctx,
    "SMPP",
    "/smpp",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
<p>Speak SMPP 3.4 instead of HTTP: bind a transmitter, receiver or transceiver to <code id="smpp-address">${view.address}</code> with the account's system_id and password. <code>submit_sm</code> is checked and charged as <code>POST /v1/messages</code> and answers the same <code>msg_…</code> id; with <code>registered_delivery</code> set, receipts come back as <code>deliver_sm</code> to a bound receiver or transceiver, kept while none is bound.</p>
${current(view)}
<h2>${verb} SMPP credentials</h2>
<form method="post" action="/smpp/rotate" class="stack">${csrfField(ctx)}
${reauthFields(ctx, "smpp-rotate", "the new SMPP password is shown on this page")}
<button type="submit">${verb} SMPP credentials</button>
<span class="hint">${view.systemId === null ? "The system_id is made for the account and stays the same on later rotations." : "The system_id stays; the old password stops working for new binds at once (binds made with it stay until they end)."}</span>
</form>`,
  );
}
