/**
 * The code samples of the docs, one per language, for the calls a newcomer makes first.
 * `examples.int.test.ts` runs the curl, JavaScript and Python ones against a live ingress,
 * so what the docs show is what works.
 */
export interface CodeSample {
  lang: "curl" | "JavaScript" | "Python";
  source: string;
}

const BASE = "http://127.0.0.1:8080";

export const COMPATIBLE_SEND: CodeSample[] = [
  {
    lang: "curl",
    source: `curl -s '${BASE}/?hash=HASH&token=TOKEN&toNumber=%2B37256789045&fromNumber=MyApp&text=Hello'`,
  },
  {
    lang: "JavaScript",
    source: `const params = new URLSearchParams({
  hash: "HASH", token: "TOKEN",
  toNumber: "+37256789045", fromNumber: "MyApp", text: "Hello",
});
const answer = await (await fetch(\`${BASE}/?\${params}\`)).json();
if (answer.status === "success") console.log("sent", answer.messageId);
else console.log("refused", answer.status, answer.message);`,
  },
  {
    lang: "Python",
    source: `import json, urllib.parse, urllib.request

params = urllib.parse.urlencode({
    "hash": "HASH", "token": "TOKEN",
    "toNumber": "+37256789045", "fromNumber": "MyApp", "text": "Hello",
})
with urllib.request.urlopen("${BASE}/?" + params) as response:
    answer = json.load(response)
if answer["status"] == "success":
    print("sent", answer["messageId"])
else:
    print("refused", answer["status"], answer["message"])`,
  },
];

export const V1_SEND: CodeSample[] = [
  {
    lang: "curl",
    source: `curl -s -u 'HASH:TOKEN' -H 'content-type: application/json' \\
  -H 'Idempotency-Key: order-1234' \\
  -d '{"to":"+37256789045","from":"MyApp","text":"Hello","reference":"order-1234"}' \\
  ${BASE}/v1/messages`,
  },
  {
    lang: "JavaScript",
    source: `const response = await fetch("${BASE}/v1/messages", {
  method: "POST",
  headers: {
    authorization: "Basic " + btoa("HASH:TOKEN"),
    "content-type": "application/json",
    "idempotency-key": "order-1234",
  },
  body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "Hello", reference: "order-1234" }),
});
const message = await response.json();
console.log(response.status, message.messageId ?? message.status, message.status);`,
  },
  {
    lang: "Python",
    source: `import requests

response = requests.post(
    "${BASE}/v1/messages",
    auth=("HASH", "TOKEN"),
    headers={"Idempotency-Key": "order-1234"},
    json={"to": "+37256789045", "from": "MyApp", "text": "Hello", "reference": "order-1234"},
    timeout=35,
)
message = response.json()
print(response.status_code, message.get("messageId"), message["status"])`,
  },
];

export const V1_STATUS: CodeSample[] = [
  { lang: "curl", source: `curl -s -u 'HASH:TOKEN' ${BASE}/v1/messages/MESSAGE_ID` },
  {
    lang: "JavaScript",
    source: `const response = await fetch("${BASE}/v1/messages/MESSAGE_ID", {
  headers: { authorization: "Basic " + btoa("HASH:TOKEN") },
});
console.log((await response.json()).status);`,
  },
  {
    lang: "Python",
    source: `import requests

message = requests.get("${BASE}/v1/messages/MESSAGE_ID", auth=("HASH", "TOKEN"), timeout=35).json()
print(message["status"])`,
  },
];

export const V1_FORMAT: CodeSample[] = [
  {
    lang: "curl",
    source: `curl -s -u 'HASH:TOKEN' '${BASE}/v1/phone/format?number=5678%209045&country=EE'`,
  },
];
