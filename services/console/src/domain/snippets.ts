/**
 * Ready-to-paste first requests, filled in with the account's credentials. Shown only on
 * the page that shows the token (sign-up, rotation): the console never has it otherwise.
 */
export interface Snippets {
  curl: string;
  javascript: string;
  python: string;
}

export function snippets(apiUrl: string, hash: string, token: string): Snippets {
  const base = apiUrl.replace(/\/+$/, "");
  const json = (s: string) => JSON.stringify(s);
  return {
    curl: `curl -s ${base}/v1/messages -u '${hash}:${token}' \\
  -H 'content-type: application/json' \\
  -d '{"to":"+37256789045","from":"MyApp","text":"Hello from the gateway"}'`,
    javascript: `const res = await fetch(${json(`${base}/v1/messages`)}, {
  method: "POST",
  headers: {
    authorization: "Basic " + btoa(${json(`${hash}:${token}`)}),
    "content-type": "application/json",
  },
  body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "Hello from the gateway" }),
});
console.log(res.status, await res.json());`,
    python: `import requests

res = requests.post(
    ${json(`${base}/v1/messages`)},
    auth=(${json(hash)}, ${json(token)}),
    json={"to": "+37256789045", "from": "MyApp", "text": "Hello from the gateway"},
)
print(res.status_code, res.json())`,
  };
}
