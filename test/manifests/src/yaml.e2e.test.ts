// biome-ignore lint/correctness/noUndeclaredDependencies: the workspace root's vitest (this package declares none: it has no lockfile entry yet)
import { describe, expect, it } from "vitest";
import { filesUnder, read } from "./repo.ts";
import { parseYaml, parseYamlDocuments, YamlError } from "./yaml.ts";

describe("the YAML subset parser", () => {
  it("when given mappings, sequences, flow collections and block scalars, it reads them as YAML does", () => {
    const text = [
      "# a comment",
      "a: 1",
      "b: '08'",
      'c: "x: y # not a comment"',
      "d: plain text with: colon-free words # a comment",
      "e: [1, two, '3', { k: v }]",
      "f:",
      "- x",
      "- k: v",
      "  l: [ ]",
      "g: |",
      "  line 1",
      "",
      "  # kept",
      "h: >-",
      "  folded",
      "  text",
      "i: ~",
      "j: true",
      "k: 1.5",
      "url: http://example.com:80/x",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      a: 1,
      b: "08",
      c: "x: y # not a comment",
      d: "plain text with: colon-free words",
      e: [1, "two", "3", { k: "v" }],
      f: ["x", { k: "v", l: [] }],
      g: "line 1\n\n# kept\n",
      h: "folded text",
      i: null,
      j: true,
      k: 1.5,
      url: "http://example.com:80/x",
    });
  });

  it("when anchors, aliases and merge keys are used, explicit keys win over merged ones", () => {
    const text = [
      "base: &b",
      "  x: 1",
      "  y: 2",
      "one:",
      "  <<: *b",
      "  y: 3",
      "two: { <<: *b, z: 4 }",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      base: { x: 1, y: 2 },
      one: { x: 1, y: 3 },
      two: { x: 1, y: 2, z: 4 },
    });
  });

  it("when a file holds several documents, each is returned and empty ones are skipped", () => {
    expect(parseYamlDocuments("---\na: 1\n---\n# nothing\n---\n- b\n")).toEqual([{ a: 1 }, ["b"]]);
  });

  it("when the YAML is outside the subset or malformed, it throws with the line", () => {
    const bad = [
      "a: 1\na: 2", // duplicate key
      "a:\n\t- 1", // tab
      "a: *nope", // unknown alias
      "a: [1, 2", // unterminated flow
      "a: 'open", // unterminated quote
      "mode: 0440", // YAML 1.1 octal: ambiguous between parsers
      "a: !!str 1", // tags
      "  a: 1", // indented document
    ];
    for (const text of bad) expect(() => parseYamlDocuments(text), text).toThrow(YamlError);
  });

  it("when the repository's YAML files are read, every one parses", () => {
    const files = [
      ...filesUnder("deploy", /\.ya?ml$/),
      ...filesUnder("k8s", /\.ya?ml$/),
      "pnpm-workspace.yaml",
    ];
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) expect(() => parseYamlDocuments(read(file)), file).not.toThrow();
  });
});
