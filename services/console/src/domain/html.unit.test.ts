import { describe, expect, it } from "vitest";
import { html } from "./html.ts";

describe("html templates", () => {
  it("when a value holds markup, it is escaped; nested templates and lists are kept as markup", () => {
    const text = `<script>alert("x")</script> & 'y'`;
    const page = html`<p title="${text}">${text}</p>${[html`<b>${1}</b>`, null, false]}`;
    expect(page.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p><b>1</b>',
    );
  });
});
