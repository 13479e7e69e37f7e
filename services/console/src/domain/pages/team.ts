import type { AuditEntry } from "@smsgw/contracts";
import { type Html, html } from "../html.ts";
import { ROLE_HINTS, ROLES, type Role } from "../roles.ts";
import { auditTable } from "./audit-table.ts";
import { copyable, csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface TeamMemberView {
  userId: string;
  email: string;
  role: Role;
  totpEnabled: boolean;
  sessions: ReadonlyArray<{
    createdAt: Date;
    lastSeenAt: Date;
    ip: string | null;
    userAgent: string | null;
  }>;
}

export interface TeamView {
  /** The owner looking at the page (cannot remove or demote themself into no owner). */
  selfId: string;
  members: readonly TeamMemberView[];
  invitations: ReadonlyArray<{ invitationId: string; email: string; role: Role; expiresAt: Date }>;
  /** The team's changes from the account's audit log, newest first. */
  audit: readonly AuditEntry[];
  /** Members' emails by user id. */
  names: ReadonlyMap<string, string>;
  /** The link just made: shown this once (only its digest is kept). */
  invited?: { email: string; role: Role; link: string };
  notice?: string;
  problems?: string[];
  form?: { email: string; role: Role };
}

const when = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");

function roleSelect(id: string, selected: Role): Html {
  return html`<select id="${id}" name="role">${ROLES.map(
    (role) =>
      html`<option value="${role}"${role === selected ? html` selected` : ""}>${role}</option>`,
  )}</select>`;
}

function sessionsOf(member: TeamMemberView): Html {
  if (member.sessions.length === 0) return html`<span class="hint">none open</span>`;
  return html`<ul class="sessions">${member.sessions.map(
    (s) =>
      html`<li>${s.ip ?? "—"}, ${s.userAgent ?? "unknown device"}: since ${when(s.createdAt)}, last seen ${when(s.lastSeenAt)}</li>`,
  )}</ul>`;
}

function memberRow(ctx: PageContext, m: TeamMemberView): Html {
  return html`<tr data-member="${m.email}"><td>${m.email}</td><td data-role>${m.role}</td><td>${m.totpEnabled ? "on" : "off"}</td><td>${sessionsOf(m)}</td>
<td><form method="post" action="/team/members/${m.userId}/role" class="inline">${csrfField(ctx)}<label class="sr-only" for="role-${m.userId}">Role of ${m.email}</label>${roleSelect(`role-${m.userId}`, m.role)} <button type="submit">Change</button></form>
<form method="post" action="/team/members/${m.userId}/remove" class="inline">${csrfField(ctx)}<button type="submit" aria-label="Remove ${m.email}">Remove</button></form></td></tr>`;
}

/** The account's members (the owner's page): roles, invitations by link, their sessions. */
export function teamPage(ctx: PageContext, view: TeamView): Html {
  const form = view.form ?? { email: "", role: "viewer" as Role };
  const invited = view.invited
    ? html`<div class="once" role="status"><p><strong>Send this link to ${view.invited.email}</strong> (as ${view.invited.role}). It is shown this once, works once, and expires; they choose their password when they open it.</p>
${copyable("invite-link", "Invitation link", view.invited.link)}</div>`
    : "";
  const invitations =
    view.invitations.length === 0
      ? html`<p id="no-invitations">No open invitations.</p>`
      : html`<ul class="invitations">${view.invitations.map(
          (i) =>
            html`<li data-invitation="${i.email}">${i.email} as ${i.role}, until ${when(i.expiresAt)} UTC <form method="post" action="/team/invitations/${i.invitationId}/revoke" class="inline">${csrfField(ctx)}<button type="submit">Withdraw</button></form></li>`,
        )}</ul>`;
  return layout(
    ctx,
    "Team",
    "/team",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
${invited}
<p>Each member logs in with their own email and password. Roles: ${ROLES.map((r, i) => html`${i > 0 ? "; " : ""}<strong>${r}</strong>: ${ROLE_HINTS[r]}`)}. An account always keeps one owner.</p>
<div class="scroll"><table class="members"><caption class="sr-only">Members</caption><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Two-factor</th><th scope="col">Sessions (UTC)</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${view.members.map((m) => memberRow(ctx, m))}</tbody></table></div>
<h2>Invite a member</h2>
<form method="post" action="/team/invite" class="stack">${csrfField(ctx)}
<label for="invite-email">Email</label>
<input id="invite-email" name="email" type="email" required value="${form.email}">
<label for="invite-role">Role</label>
${roleSelect("invite-role", form.role)}
<button type="submit">Make an invitation link</button>
</form>
<h2>Open invitations</h2>
${invitations}
<h2>Recent changes to the team</h2>
${auditTable(view.audit, view.names)}`,
  );
}
