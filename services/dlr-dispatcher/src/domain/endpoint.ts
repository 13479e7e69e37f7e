import { endpointOf, parseCallbackUrl } from "@smsgw/callback-guard";

/**
 * The unit of isolation, back-off, Retry-After, concurrency share and slowness (api.md
 * section 4: "one slow or dead endpoint never delays reports to any other endpoint"): the
 * endpoint, i.e. scheme, host, port and path, without the query string (which may carry a
 * receiver's tokens, and rarely names another receiver). Two hooks on one shared host
 * (hooks.zapier.com, webhook.site) are two keys. Connections stay pooled and pinned per host
 * (`handlers/pinned-post.ts`). A URL that does not parse still gets a key, so its refusal is
 * recorded. Stored as the jobs' `origin` column (the name kept from when it was the origin).
 */
export function isolationKey(callbackUrl: string): string {
  const parsed = parseCallbackUrl(callbackUrl);
  return parsed.ok ? endpointOf(parsed.url) : "(invalid)";
}
