import { ERROR_CODES } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { renderDocsPage } from "./docs-page.ts";
import { buildOpenApiDocument } from "./document.ts";

const doc = buildOpenApiDocument();

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, found);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

describe("the OpenAPI document", () => {
  it("when built, every $ref points at a component that exists", () => {
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    for (const ref of refs(doc.paths)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.split("/").pop() ?? ""]).toBeDefined();
    }
  });

  it("when built, the send schema is the one the handler parses (required fields, strictness, limits)", () => {
    const send = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas
      .SendMessage;
    expect(send?.required).toEqual(["to", "from", "text"]);
    expect(send?.additionalProperties).toBe(false);
    const batch = (
      doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }
    ).schemas.SendBatch;
    expect(batch?.properties.messages).toMatchObject({ minItems: 1, maxItems: 1000 });
  });

  it("when built, callbackStatuses is documented, optional, on both send endpoints", () => {
    const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> })
      .schemas;
    const send = schemas.SendMessage as { properties: Record<string, unknown> };
    expect(send.properties.callbackStatuses).toMatchObject({
      description: expect.stringContaining("final"),
    });
    const paths = doc.paths as Record<string, Record<string, { parameters?: unknown[] }>>;
    const compatible = paths["/"]?.get?.parameters as Array<{ name: string; required: boolean }>;
    expect(compatible.find((p) => p.name === "callbackStatuses")).toMatchObject({
      required: false,
    });
    expect(compatible.filter((p) => p.required).map((p) => p.name)).toEqual([
      "hash",
      "token",
      "toNumber",
      "fromNumber",
      "text",
    ]);
  });

  it("when built, the numbers, inbound and opt-out endpoints of api.md section 5 are documented, with their errors", () => {
    const paths = doc.paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    expect(Object.keys(paths["/v1/numbers"] ?? {})).toEqual(["get", "post"]);
    expect(Object.keys(paths["/v1/numbers/{number}"] ?? {})).toEqual(["patch", "delete"]);
    expect(paths["/v1/numbers"]?.post?.responses["422"]).toMatchObject({
      content: { "application/json": { example: { status: "no_number_available" } } },
    });
    expect(paths["/v1/inbound"]?.get).toBeDefined();
    expect(Object.keys(paths["/v1/opt-outs"] ?? {})).toEqual(["get", "post"]);
    expect(paths["/v1/opt-outs/{number}"]?.delete?.responses["404"]).toBeDefined();
    expect(paths["/v1/inbound/{id}"]?.get?.responses["404"]).toBeDefined();
    expect(Object.keys(paths["/v1/senders"] ?? {})).toEqual(["get", "post"]);
    expect(paths["/v1/senders/{sender}"]?.delete?.responses["404"]).toBeDefined();
  });

  it("when built, the search and the export document the filters the handlers parse", () => {
    const paths = doc.paths as Record<string, Record<string, { parameters?: unknown[] }>>;
    const params = (path: string) =>
      (paths[path]?.get?.parameters ?? []) as Array<{ name: string; schema: unknown }>;
    const filters = ["status", "to", "from", "since", "until"];
    expect(params("/v1/messages").map((p) => p.name)).toEqual([...filters, "cursor", "limit"]);
    expect(params("/v1/messages/export.csv").map((p) => p.name)).toEqual(filters);
    expect(params("/v1/messages").at(-1)?.schema).toMatchObject({
      minimum: 1,
      maximum: 1000,
      default: 100,
    });
  });

  it("when built, errorCode is the documented enum, on the message resource and as its own component", () => {
    const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> })
      .schemas;
    expect(schemas.ErrorCode?.enum).toEqual([...ERROR_CODES]);
    const message = schemas.Message as { properties: Record<string, unknown> };
    expect(JSON.stringify(message.properties.errorCode)).toContain('"unknown_subscriber"');
  });

  it("when rendered, the docs page escapes the document and loads nothing from elsewhere", () => {
    const html = renderDocsPage(doc);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain("GET</span> <code>/</code>");
    expect(html).toContain("&#34;$ref&#34;");
    expect(html).not.toContain('"$ref"');
  });
});

describe("the OpenAPI document's erasure", () => {
  it("when built, redact is a POST answering the erased message, 404 and 409 message_in_flight", () => {
    const paths = doc.paths as Record<
      string,
      Record<string, { responses: Record<string, { content?: unknown }> }>
    >;
    const redact = paths["/v1/messages/{messageId}/redact"];
    expect(Object.keys(redact ?? {})).toEqual(["post"]);
    expect(Object.keys(redact?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "404", "409", "403"]),
    );
    expect(JSON.stringify(redact?.post?.responses["409"])).toContain("message_in_flight");
  });
});

describe("the OpenAPI document's API keys", () => {
  it("when built, /v1/keys lists, creates and revokes, with the body the handler parses", () => {
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths["/v1/keys"] ?? {})).toEqual(["get", "post"]);
    expect(Object.keys(paths["/v1/keys/{keyId}"] ?? {})).toEqual(["delete"]);
    const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> })
      .schemas;
    expect(schemas.CreateApiKey).toMatchObject({
      required: ["name", "scopes"],
      additionalProperties: false,
    });
    expect(schemas.CreatedApiKey?.required).toContain("secret");
    expect(JSON.stringify(schemas.ApiKeyList)).not.toContain("secret");
  });
});
