// A small validator for the Swagger 2.0 definitions the fakes accept: types, required fields,
// nested $refs, arrays, maps, and — strictly — no properties the schema does not declare.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
}

const specPath = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/argo-workflows-swagger.json");
const definitions = (JSON.parse(readFileSync(specPath, "utf8")) as { definitions: Record<string, Schema> }).definitions;

/** Problems with `value` against the named definition (empty when valid). */
export function validateDefinition(definition: string, value: unknown): string[] {
  const schema = definitions[definition];
  if (!schema) throw new Error(`unknown definition ${definition}`);
  const problems: string[] = [];
  check(schema, value, "", problems);
  return problems;
}

function resolve(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) {
    const name = current.$ref.replace("#/definitions/", "");
    const target = definitions[name];
    if (!target) throw new Error(`unknown $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

function check(raw: Schema, value: unknown, path: string, problems: string[]): void {
  const schema = resolve(raw);
  const at = path || "(root)";
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") problems.push(`${at}: expected string`);
      return;
    case "integer":
      if (!Number.isInteger(value) && !(typeof value === "string" && /^-?\d+$/.test(value)))
        problems.push(`${at}: expected integer`);
      return;
    case "number":
      if (typeof value !== "number") problems.push(`${at}: expected number`);
      return;
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${at}: expected boolean`);
      return;
    case "array":
      if (!Array.isArray(value)) {
        problems.push(`${at}: expected array`);
        return;
      }
      value.forEach((item, index) => {
        if (schema.items) check(schema.items, item, `${path}[${index}]`, problems);
      });
      return;
    default:
      break;
  }
  if (schema.type !== "object" && !schema.properties && !schema.additionalProperties) return; // free-form
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${at}: expected object`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const name of schema.required ?? []) {
    if (record[name] === undefined) problems.push(`${path ? `${path}.` : ""}${name}: required`);
  }
  for (const [key, child] of Object.entries(record)) {
    const childPath = path ? `${path}.${key}` : key;
    const declared = schema.properties?.[key];
    if (declared) check(declared, child, childPath, problems);
    else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      check(schema.additionalProperties, child, childPath, problems);
    } else if (schema.properties) problems.push(`${childPath}: unknown field`);
  }
}
