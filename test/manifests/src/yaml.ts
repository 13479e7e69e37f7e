/**
 * A strict parser for the YAML subset our manifests are written in, because the workspace
 * has no YAML library (adding `yaml` to this package would replace it; see README.md).
 *
 * Supported: block mappings and sequences, `- key: value` items, plain / single / double
 * quoted scalars, `|` `|-` `>` block scalars, one-line flow collections (`[a, b]`,
 * `{ k: v }`), comments, `---` documents, anchors (`&a`), aliases (`*a`) and merge keys
 * (`<<`). Scalars resolve as YAML 1.2's core schema (null, booleans, numbers, strings).
 * Anything else (tabs, multi-line plain or flow scalars, duplicate keys, tags) throws
 * with the line number: a manifest that needs more is rewritten, never half-understood.
 */

export type Yaml = null | boolean | number | string | Yaml[] | { [key: string]: Yaml };

export class YamlError extends Error {
  override name = "YamlError";
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

/** Every document of a file (empty documents are skipped). */
export function parseYamlDocuments(source: string): Yaml[] {
  const docs: string[][] = [[]];
  const rawLines = source.replace(/\r\n/g, "\n").split("\n");
  const starts: number[] = [0];
  rawLines.forEach((line, i) => {
    if (/^---\s*(#.*)?$/.test(line)) {
      docs.push([]);
      starts.push(i + 1);
    } else docs[docs.length - 1]?.push(line);
  });
  const out: Yaml[] = [];
  docs.forEach((lines, d) => {
    const parsed = new Parser(lines, starts[d] ?? 0).document();
    if (parsed !== undefined) out.push(parsed);
  });
  return out;
}

export function parseYaml(source: string): Yaml {
  const docs = parseYamlDocuments(source);
  if (docs.length !== 1) throw new YamlError(`expected one document, found ${docs.length}`);
  return docs[0] ?? null;
}

class Parser {
  private readonly lines: Line[];
  private readonly raw: string[];
  private readonly offset: number;
  private pos = 0;
  private readonly anchors = new Map<string, Yaml>();

  constructor(raw: string[], offset: number) {
    this.raw = raw;
    this.offset = offset;
    this.lines = [];
    raw.forEach((text, i) => {
      if (/^\s*(#.*)?$/.test(text)) return;
      if (/^ *\t/.test(text)) this.fail(i + offset + 1, "tab in indentation");
      const indent = text.length - text.trimStart().length;
      this.lines.push({ no: i + offset + 1, indent, text: text.trimStart() });
    });
  }

  document(): Yaml | undefined {
    if (this.lines.length === 0) return undefined;
    const first = this.peek();
    if (first && first.indent !== 0) this.fail(first.no, "a document starts at column 0");
    const value = this.node(0);
    const rest = this.peek();
    if (rest) this.fail(rest.no, "unexpected indentation or content");
    return value;
  }

  private peek(): Line | undefined {
    return this.lines[this.pos];
  }

  private fail(no: number, message: string): never {
    throw new YamlError(`line ${no}: ${message}`);
  }

  /** The block node whose first line is the current one, at exactly `indent`. */
  private node(indent: number): Yaml {
    const line = this.peek();
    if (!line) return null;
    if (isSeqItem(line.text)) return this.sequence(line.indent);
    if (splitKey(line.text)) return this.mapping(line.indent);
    this.pos++;
    if (line.indent < indent) this.fail(line.no, "bad indentation");
    return this.inline(line.text, line.no);
  }

  private sequence(indent: number): Yaml[] {
    const items: Yaml[] = [];
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      // A sequence at its parent key's indent ends where that mapping's next key starts.
      if (!isSeqItem(line.text)) break;
      const rest = line.text.slice(1).trimStart();
      if (stripComment(rest) === "") {
        this.pos++;
        const next = this.peek();
        items.push(next && next.indent > indent ? this.node(next.indent) : null);
      } else if (splitKey(rest) || isSeqItem(rest)) {
        // "- key: v": the item is a block node starting at the column after "- ".
        const column = indent + (line.text.length - rest.length);
        this.lines[this.pos] = { no: line.no, indent: column, text: rest };
        items.push(this.node(column));
      } else {
        this.pos++;
        items.push(this.valueAfter(rest, line, indent));
      }
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: Yaml } {
    const own: { [key: string]: Yaml } = {};
    const merged: { [key: string]: Yaml }[] = [];
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      const split = splitKey(line.text);
      if (!split) this.fail(line.no, "expected 'key: value'");
      this.pos++;
      const value = this.valueAfter(split.rest, line, indent, true);
      if (split.key === "<<") {
        for (const m of Array.isArray(value) ? value : [value]) {
          if (!isMap(m)) this.fail(line.no, "'<<' merges mappings only");
          merged.push(m);
        }
        continue;
      }
      if (Object.hasOwn(own, split.key)) this.fail(line.no, `duplicate key "${split.key}"`);
      own[split.key] = value;
    }
    return merged.length === 0 ? own : Object.assign({}, ...merged, own);
  }

  /** The value after "key:" or "- ": inline, a block scalar, or the nested block below. */
  private valueAfter(rest: string, line: Line, indent: number, inMapping = false): Yaml {
    let text = stripComment(rest);
    let anchor: string | undefined;
    const anchored = /^&([A-Za-z0-9_-]+)\s*(.*)$/.exec(text);
    if (anchored) {
      anchor = anchored[1];
      text = anchored[2] ?? "";
    }
    let value: Yaml;
    if (/^[|>][-+]?$/.test(text)) value = this.blockScalar(text, indent, line);
    else if (text === "") {
      const next = this.peek();
      if (next && next.indent > indent) value = this.node(next.indent);
      else if (inMapping && next && next.indent === indent && isSeqItem(next.text))
        value = this.sequence(indent);
      else value = null;
    } else value = this.inline(this.withContinuation(text), line.no);
    if (anchor) this.anchors.set(anchor, value);
    return value;
  }

  /** A plain scalar folded over more-indented lines (as kustomize writes long ones). */
  private withContinuation(text: string): string {
    if (/^[[{'"*]/.test(text)) return text;
    const parts = [text];
    const owner = this.lines[this.pos - 1]?.indent ?? 0;
    for (let next = this.peek(); next && next.indent > owner; next = this.peek()) {
      if (isSeqItem(next.text) || splitKey(next.text)) break;
      parts.push(stripComment(next.text));
      this.pos++;
    }
    return parts.join(" ");
  }

  private blockScalar(header: string, indent: number, line: Line): string {
    const body: string[] = [];
    let i = line.no - this.offset; // the raw line after the header
    // The raw lines (blank ones and "#" ones belong to the scalar) until one is dedented.
    for (; i < this.raw.length; i++) {
      const text = this.raw[i] ?? "";
      if (text.trim() !== "" && text.length - text.trimStart().length <= indent) break;
      body.push(text);
    }
    while (this.peek() && (this.peek()?.no ?? 0) <= i + this.offset) this.pos++;
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    const first = body.find((t) => t.trim() !== "") ?? "";
    const cut = first.length - first.trimStart().length;
    const lines = body.map((t) => t.slice(cut));
    const joined = header.startsWith(">") ? lines.join(" ") : lines.join("\n");
    return header.endsWith("-") || joined === "" ? joined : `${joined}\n`;
  }

  private inline(text: string, no: number): Yaml {
    const reader = new FlowReader(text, no, this.anchors);
    const value = reader.value(false);
    reader.end();
    return value;
  }
}

class FlowReader {
  private i = 0;
  private readonly text: string;
  private readonly no: number;
  private readonly anchors: Map<string, Yaml>;

  constructor(text: string, no: number, anchors: Map<string, Yaml>) {
    this.text = text;
    this.no = no;
    this.anchors = anchors;
  }

  end(): void {
    this.skip();
    if (this.i < this.text.length) this.fail(`unexpected "${this.text.slice(this.i)}"`);
  }

  value(inFlow: boolean): Yaml {
    this.skip();
    const c = this.text[this.i];
    if (c === "[") return this.seq();
    if (c === "{") return this.map();
    if (c === "*") {
      const name = /^\*([A-Za-z0-9_-]+)/.exec(this.text.slice(this.i))?.[1];
      if (!name || !this.anchors.has(name)) this.fail("unknown alias");
      this.i += name.length + 1;
      return this.anchors.get(name) ?? null;
    }
    if (c === "!" || c === "&" || c === "@" || c === "`") this.fail(`unsupported "${c}"`);
    if (c === "'" || c === '"') return this.quoted();
    return resolvePlain(this.plain(inFlow ? /[,\]}]|: |:$/ : /$^/));
  }

  private seq(): Yaml[] {
    this.i++;
    const items: Yaml[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.i] === "]") break;
      items.push(this.value(true));
      this.skip();
      if (this.text[this.i] === ",") this.i++;
      else if (this.text[this.i] !== "]") this.fail("expected ',' or ']'");
    }
    this.i++;
    return items;
  }

  private map(): { [key: string]: Yaml } {
    this.i++;
    const own: { [key: string]: Yaml } = {};
    const merged: { [key: string]: Yaml }[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.i] === "}") break;
      const c = this.text[this.i];
      const key = c === "'" || c === '"' ? this.quoted() : this.plain(/: |:(?=[,}])|[,}]/);
      this.skip();
      if (this.text[this.i] !== ":") this.fail("expected ':' in a flow mapping");
      this.i++;
      const value = this.value(true);
      if (key === "<<") {
        if (!isMap(value)) this.fail("'<<' merges mappings only");
        merged.push(value);
      } else {
        if (Object.hasOwn(own, key)) this.fail(`duplicate key "${key}"`);
        own[key] = value;
      }
      this.skip();
      if (this.text[this.i] === ",") this.i++;
      else if (this.text[this.i] !== "}") this.fail("expected ',' or '}'");
    }
    this.i++;
    return merged.length === 0 ? own : Object.assign({}, ...merged, own);
  }

  private plain(stop: RegExp): string {
    const rest = this.text.slice(this.i);
    const m = stop.exec(rest);
    const end = m ? m.index : rest.length;
    const out = rest.slice(0, end).trim();
    if (out === "") this.fail("empty value");
    this.i += end;
    return out;
  }

  private quoted(): string {
    const q = this.text[this.i];
    let out = "";
    for (this.i++; this.i < this.text.length; this.i++) {
      const c = this.text[this.i];
      if (q === "'" && c === "'") {
        if (this.text[this.i + 1] === "'") {
          out += "'";
          this.i++;
          continue;
        }
        this.i++;
        return out;
      }
      if (q === '"' && c === '"') {
        this.i++;
        return out;
      }
      if (q === '"' && c === "\\") {
        const e = this.text[++this.i];
        const map: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\", "/": "/" };
        if (e === undefined || !(e in map)) this.fail(`unsupported escape \\${e ?? ""}`);
        out += map[e];
        continue;
      }
      out += c;
    }
    return this.fail("unterminated quoted scalar");
  }

  private skip(): void {
    while (this.text[this.i] === " ") this.i++;
  }

  private fail(message: string): never {
    throw new YamlError(`line ${this.no}: ${message}`);
  }
}

function isMap(value: Yaml | undefined): value is { [key: string]: Yaml } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSeqItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** `key: rest` of a block mapping line (the key plain or quoted), or null. */
function splitKey(text: string): { key: string; rest: string } | null {
  const quoted = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)')\s*:(?: |$)(.*)$/.exec(text);
  if (quoted)
    return { key: quoted[1] ?? (quoted[2] ?? "").replace(/''/g, "'"), rest: quoted[3] ?? "" };
  if (/^[[{"'|>*&!%@`#]/.test(text) || text.startsWith("- ")) return null;
  const m = /^([^#]*?)\s*:(?: |$)(.*)$/.exec(text);
  if (!m || m[1] === undefined || m[1] === "") return null;
  return { key: m[1], rest: m[2] ?? "" };
}

/** Drops a trailing " # comment" that is outside quotes. */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      if (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? "")) quote = c;
    } else if (c === "#" && (i === 0 || text[i - 1] === " ")) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function resolvePlain(text: string): Yaml {
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^0[0-9]+$/.test(text)) throw new YamlError(`"${text}": write octal modes in decimal`);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}
