import { parseAllDocuments } from "yaml";
import { decodeUtf8, jsonDepth, readBodyLimited } from "./body";
import { AppError } from "./errors";
import { DEFAULT_JSON_SHAPE, jsonShapeProblem } from "./json-scan";

/** Management bodies (bindings, tokens, policies…) are small; this bounds them. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_DOCUMENT_DEPTH = 64;
const yamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];
/** Content types read as JSON; curl's default form type is here because `curl -d` sends it. */
const jsonTypes = ["application/json", "text/json", "text/plain", "application/x-www-form-urlencoded"];

/**
 * Reads a management request body as JSON or YAML (by Content-Type) and returns its objects:
 * one object, the `items` of a `kind: List`, or each document of a multi-document YAML stream.
 */
export async function readDocuments(request: Request): Promise<unknown[]> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const isYaml = yamlTypes.includes(mediaType);
  if (!isYaml && mediaType !== "" && !jsonTypes.includes(mediaType) && !mediaType.endsWith("+json")) {
    throw new AppError(
      "unsupported_media_type",
      `unsupported Content-Type "${mediaType}": send application/json or application/yaml`,
    );
  }
  return documentsOf(decodeUtf8(await readBodyLimited(request, MAX_DOCUMENT_BYTES)), isYaml ? "yaml" : "json");
}

/**
 * The objects of a management document's text (one object, a `List`'s items, or each document
 * of a YAML stream): what the API reads from a request body and the console from a form.
 */
export function documentsOf(text: string, format: "json" | "yaml"): unknown[] {
  if (text.trim() === "") throw new AppError("invalid_argument", "request body is empty");
  if (text.length > MAX_DOCUMENT_BYTES) {
    throw new AppError("payload_too_large", `a document may be at most ${MAX_DOCUMENT_BYTES} bytes`);
  }
  // Flow-style YAML nests with the same brackets as JSON: one scan bounds both before parsing.
  const problem = jsonShapeProblem(text, { ...DEFAULT_JSON_SHAPE, maxDepth: MAX_DOCUMENT_DEPTH });
  if (problem) throw new AppError("invalid_argument", `request body is too large to accept: ${problem}`);
  const documents = format === "yaml" ? parseYamlDocuments(text) : [parseJson(text)];
  const objects: unknown[] = [];
  for (const document of documents) {
    if (jsonDepth(document, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH) {
      throw new AppError("invalid_argument", `document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels`);
    }
    const reserved = reservedKeyPath(document);
    if (reserved !== null) {
      throw new AppError(
        "invalid_argument",
        `a key named "__proto__" is not allowed (at ${reserved || "the top level"})`,
      );
    }
    if (isList(document)) objects.push(...document.items);
    else if (document !== null) objects.push(document);
  }
  if (objects.length === 0) throw new AppError("invalid_argument", "request body holds no object");
  return objects;
}

/**
 * Where a document has a `__proto__` key (its path, "" at the top), or null. No management
 * object has a use for one, and some readers would take it as the object's prototype.
 */
function reservedKeyPath(value: unknown, path = ""): string | null {
  if (value === null || typeof value !== "object") return null;
  for (const [key, child] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
    if (!Array.isArray(value) && key === "__proto__") return path;
    const found = reservedKeyPath(child, here);
    if (found !== null) return found;
  }
  return null;
}

/** Reads a management request body that must hold exactly one object. */
export async function readDocument(request: Request): Promise<unknown> {
  const objects = await readDocuments(request);
  if (objects.length !== 1) {
    throw new AppError("invalid_argument", `expected one object, got ${objects.length}`);
  }
  return objects[0];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("invalid_argument", `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function parseYamlDocuments(text: string): unknown[] {
  const documents = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document, index) => {
    const [error] = document.errors;
    if (error) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "";
      throw new AppError(
        "invalid_argument",
        `YAML document ${index + 1} is invalid${where}: ${firstLine(error.message)}`,
      );
    }
    try {
      // Aliases are expanded with a cap so a "billion laughs" document cannot exhaust memory.
      return document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new AppError("invalid_argument", `YAML document ${index + 1} is invalid: ${(error as Error).message}`);
    }
  });
}

function isList(value: unknown): value is { items: unknown[] } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.kind === "string" && record.kind.endsWith("List") && Array.isArray(record.items);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/**
 * The spec of a kubectl-style object (`{kind, metadata, spec}`), or the body itself when it is a
 * bare spec. A `metadata.name` other than the URL's is refused.
 */
export function specOf(body: unknown, name: string): unknown {
  const record = (body ?? {}) as Record<string, unknown>;
  if (typeof record.spec !== "object" || record.spec === null) return body;
  const metadataName = (record.metadata as { name?: unknown } | undefined)?.name;
  if (metadataName !== undefined && metadataName !== name) {
    throw new AppError(
      "invalid_argument",
      `metadata.name "${String(metadataName)}" does not match the name in the URL "${name}"`,
    );
  }
  return record.spec;
}
