/**
 * The readable docs page at `/docs`: plain HTML rendered from the OpenAPI document on the
 * server, with no script and nothing loaded from elsewhere (a CDN would be one more thing
 * to trust and one more thing that can be down).
 */

type Json = Record<string, unknown>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const inline = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
const pre = (text: string) => `<pre>${escapeHtml(text)}</pre>`;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function resolve(doc: Json, schema: unknown): unknown {
  const refName = (schema as { $ref?: string } | undefined)?.$ref?.split("/").pop();
  const schemas = (doc.components as { schemas: Json }).schemas;
  return refName ? { [refName]: schemas[refName] } : schema;
}

function operation(doc: Json, path: string, method: string, op: Json): string {
  const parts: string[] = [];
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-");
  parts.push(
    `<section id="${id}"><h3><span class="m ${method}">${method.toUpperCase()}</span> ${code(path)}</h3>`,
  );
  parts.push(`<p><strong>${inline(String(op.summary ?? ""))}</strong></p>`);
  if (op.description) parts.push(`<p>${inline(String(op.description))}</p>`);
  const params = (op.parameters as Json[] | undefined) ?? [];
  if (params.length > 0) {
    parts.push("<table><tr><th>parameter</th><th>in</th><th>required</th><th>about</th></tr>");
    for (const p of params) {
      const schema = (p.schema ?? {}) as Json;
      const about = String(p.description ?? schema.description ?? "");
      parts.push(
        `<tr><td>${code(String(p.name))}</td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? "yes" : "no"}</td><td>${inline(about)}</td></tr>`,
      );
    }
    parts.push("</table>");
  }
  const body = op.requestBody as { content: Record<string, { schema: unknown }> } | undefined;
  if (body) {
    for (const [type, media] of Object.entries(body.content)) {
      parts.push(
        `<details><summary>request body ${code(type)}</summary>${pre(JSON.stringify(resolve(doc, media.schema), null, 2))}</details>`,
      );
    }
  }
  parts.push("<table><tr><th>HTTP</th><th>answer</th></tr>");
  for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
    parts.push(
      `<tr><td>${escapeHtml(status)}</td><td>${inline(String(response.description ?? ""))}</td></tr>`,
    );
  }
  parts.push("</table>");
  const ok = Object.entries((op.responses ?? {}) as Record<string, Json>).find(([s]) =>
    s.startsWith("2"),
  );
  const okSchema = (ok?.[1]?.content as Record<string, { schema: unknown }> | undefined)?.[
    "application/json"
  ]?.schema;
  if (okSchema) {
    parts.push(
      `<details><summary>response schema</summary>${pre(JSON.stringify(resolve(doc, okSchema), null, 2))}</details>`,
    );
  }
  for (const sample of (op["x-codeSamples"] as
    | Array<{ lang: string; source: string }>
    | undefined) ?? []) {
    parts.push(`<h4>${escapeHtml(sample.lang)}</h4>${pre(sample.source)}`);
  }
  parts.push("</section>");
  return parts.join("\n");
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
pre{background:#f4f4f4;padding:.75rem;overflow-x:auto;font-size:14px}code{background:#f4f4f4;padding:0 .2rem}
pre code{padding:0}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:3.5rem;color:#fff;border-radius:3px;padding:0 .3rem;font-size:14px;text-align:center}
.get{background:#2f6f3e}.post{background:#1f4f8f}section{border-top:1px solid #ddd;margin-top:1.5rem}`;

const ERRORS = `<table><tr><th>status</th><th>compatible <code>/</code></th><th>/v1</th><th>when</th></tr>
<tr><td><code>invalid_phone</code></td><td>200</td><td>422</td><td>the destination is not a valid E.164 number</td></tr>
<tr><td><code>invalid_sender</code></td><td>200</td><td>422</td><td>the sender ID is malformed or not allowed for the destination</td></tr>
<tr><td><code>destination_blocked</code></td><td>200</td><td>422</td><td>the country is blocked for the account, or no route exists</td></tr>
<tr><td><code>low_balance</code></td><td>200</td><td>422</td><td>the credit does not cover the message</td></tr>
<tr><td><code>idempotency_key_reused</code></td><td>—</td><td>422</td><td>the Idempotency-Key was used with another body</td></tr>
<tr><td><code>invalid_params</code></td><td>400</td><td>400</td><td>a field is missing, empty or of the wrong type, the body is malformed or too large, or the content type is not JSON (/v1) or form/JSON (/); <code>message</code> names the field</td></tr>
<tr><td><code>auth_failed</code></td><td>401</td><td>401</td><td>wrong credentials or a disabled account</td></tr>
<tr><td><code>not_found</code> / <code>method_not_allowed</code></td><td>404 / 405</td><td>404 / 405</td><td>unknown path or message; wrong method (see <code>Allow</code>)</td></tr>
<tr><td><code>rate_limit</code></td><td>429</td><td>429</td><td>over a limit, or the gateway is at capacity; wait <code>Retry-After</code> seconds</td></tr>
<tr><td><code>server_error</code></td><td>500</td><td>500</td><td>anything unexpected, or no answer within 30 s; nothing was accepted or charged</td></tr>
<tr><td><code>outcome_unknown</code></td><td>503</td><td>503</td><td>charged and sent to the queue, but not confirmed: it may be on its way. Do not send it as a new message: retry with the same Idempotency-Key after <code>Retry-After</code>, or look up <code>messageId</code> (still 404 a minute later: not accepted, refunded)</td></tr></table>`;

export function renderDocsPage(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-");
      toc.push(
        `<li><a href="#${id}">${method.toUpperCase()} ${escapeHtml(path)}</a> — ${escapeHtml(String(op.summary ?? ""))}</li>`,
      );
      sections.push(operation(doc, path, method, op));
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${inline(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Credentials</h2><p>The compatible endpoint takes <code>hash</code> and <code>token</code> as fields. <code>/v1</code> takes HTTP Basic (<code>hash:token</code>) or the same fields (JSON body or query string).</p>
<h2>Errors</h2><p>Every error is JSON <code>{"status": "…", "message": "…"}</code>; a status other than success means nothing was charged or sent.</p>${ERRORS}
<h2>Endpoints</h2><ul>${toc.join("")}</ul>
${sections.join("\n")}
</body></html>`;
}
