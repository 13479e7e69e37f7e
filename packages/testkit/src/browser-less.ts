/**
 * A tiny HTTP client for tests of the console (its int tests, the e2e tests): keeps cookies like a browser, reads the
 * CSRF token off the last page, and posts forms with it. Real HTTP, no mocks.
 */
export class Visitor {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  /** The `_csrf` of the forms on the last page that had any. */
  csrf = "";
  /** Sent with every request, e.g. the X-Forwarded-For a proxy in front would add. */
  readonly headers: Record<string, string>;
  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private read(res: Response, text: string) {
    this.remember(res);
    const token = /name="_csrf" value="([^"]*)"/.exec(text)?.[1];
    if (token !== undefined) this.csrf = token;
    return { status: res.status, text, res };
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string): Promise<{ status: number; text: string; res: Response }> {
    const res = await fetch(this.base + path, {
      headers: { ...this.headers, cookie: this.header() },
      redirect: "manual",
    });
    return this.read(res, await res.text());
  }

  async post(
    path: string,
    fields: Record<string, string>,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string; res: Response }> {
    const body = new URLSearchParams(fields);
    if (options.csrf !== false) body.set("_csrf", this.csrf);
    const res = await fetch(this.base + path, {
      method: "POST",
      headers: {
        ...this.headers,
        ...options.headers,
        cookie: this.header(),
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
      redirect: "manual",
    });
    return this.read(res, await res.text());
  }
}

/** The text of the element with this id (`<code id="token">…</code>`), unescaped. */
export function textOf(page: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page);
  return (match?.[1] ?? "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** A new visitor signed up (201) with this email and password, and the page it got. */
export async function signedUp(base: string, email: string, password: string) {
  const visitor = new Visitor(base);
  await visitor.get("/signup");
  const page = await visitor.post("/signup", { email, password });
  if (page.status !== 201) throw new Error(`sign-up answered ${page.status}`);
  return { visitor, page, hash: textOf(page.text, "hash") };
}
