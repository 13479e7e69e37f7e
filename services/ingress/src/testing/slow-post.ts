import { request } from "node:http";

/** A JSON POST whose body comes in `pieces`, `pauseMs` apart (its end after one more pause), as a slow uplink sends it. */
export function postSlowly(
  url: string,
  body: string,
  {
    pieces,
    pauseMs,
    headers,
  }: { pieces: number; pauseMs: number; headers: Record<string, string> },
): Promise<{ httpStatus: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent: false,
      headers: {
        ...headers,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          httpStatus: res.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
        });
      });
    });
    req.on("error", reject);
    req.flushHeaders();
    const size = Math.ceil(body.length / pieces);
    const writeFrom = (piece: number) => {
      if (piece === pieces) return void req.end();
      req.write(body.slice(piece * size, (piece + 1) * size));
      setTimeout(() => writeFrom(piece + 1), pauseMs);
    };
    setTimeout(() => writeFrom(0), pauseMs);
  });
}
