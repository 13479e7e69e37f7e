import { endpointOf, parseCallbackUrl } from "@smsgw/callback-guard";

/**
 * The unit of isolation, back-off, Retry-After, concurrency share and slowness (api.md
 * section 4: "one slow or dead endpoint never delays reports to any other endpoint"): the
 * endpoint, i.e. scheme, host, port and path, without the query string (which may carry a
 * receiver's tokens, and rarely names another receiver). Two hooks on one shared host
 * (hooks.zapier.com, webhook.site) are two keys. Connections stay pooled and pinned per host
 * (`handlers/pinned-post.ts`), and the endpoints of one host together run at most
 * WEBHOOK_HOST_CONCURRENCY attempts (`hostOfEndpoint`), each within its own share. A URL that does not parse still gets a key, so its refusal is
 * recorded. Stored as the jobs' `origin` column (the name kept from when it was the origin).
 */
export function isolationKey(callbackUrl: string): string {
  const parsed = parseCallbackUrl(callbackUrl);
  return parsed.ok ? endpointOf(parsed.url) : "(invalid)";
}

/**
 * The host of an isolation key: scheme, host and port, i.e. the endpoint without its path
 * (`https://hooks.example.com:8443/dlr/123` -> `https://hooks.example.com:8443`). Every
 * endpoint of one host shares its bound of attempts in flight (`domain/origins.ts`): a
 * customer who puts the message id in the path makes each report a new endpoint, and those
 * must not take every slot together. A key that is not a URL (`(invalid)`) is its own host.
 */
export function hostOfEndpoint(endpoint: string): string {
  const authority = endpoint.indexOf("//");
  if (authority < 0) return endpoint;
  const path = endpoint.indexOf("/", authority + 2);
  return path < 0 ? endpoint : endpoint.slice(0, path);
}
