import { fail, ok, type Result } from "../lib/result";

/** A workflow node as Argo reports it in `status.nodes` (the fields a node field selector reads). */
export interface WorkflowNode {
  id: string;
  name: string;
  displayName: string;
  type: string;
  phase: string;
  templateName: string | null;
  templateRef: { name: string | null; template: string | null } | null;
  /** Input parameters by name (`inputs.parameters.<name>.value`). */
  parameters: ReadonlyMap<string, string>;
}

interface Term {
  field: string;
  equals: boolean;
  value: string;
}

/**
 * Parses a node field selector as Argo's API takes it (`FIELD=VALUE`, `FIELD==VALUE` or
 * `FIELD!=VALUE`, several joined by commas and all required); a bare name is `displayName=NAME`,
 * as hookline has always read it. Fields: displayName, id, name, templateName, phase,
 * templateRef.name, templateRef.template, inputs.parameters.<NAME>.value.
 */
export function parseNodeSelector(selector: string): Result<Term[]> {
  if (!selector.includes("=")) return ok([{ field: "displayName", equals: true, value: selector }]);
  const terms: Term[] = [];
  for (const part of selector.split(",")) {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*(!=|==|=)(.*)$/.exec(part);
    if (!match) return fail("invalid_argument", `"${part.slice(0, 100)}" is not FIELD=VALUE or FIELD!=VALUE`);
    const field = match[1] ?? "";
    if (!isKnownField(field)) {
      return fail(
        "invalid_argument",
        `unknown node field "${field.slice(0, 100)}" (displayName, id, name, templateName, phase, templateRef.name, templateRef.template, inputs.parameters.NAME.value)`,
      );
    }
    terms.push({ field, equals: match[2] !== "!=", value: (match[3] ?? "").trim() });
  }
  return ok(terms);
}

const FIELDS = new Set([
  "displayName",
  "id",
  "name",
  "templateName",
  "phase",
  "templateRef.name",
  "templateRef.template",
]);

function isKnownField(field: string): boolean {
  return FIELDS.has(field) || /^inputs\.parameters\.[^.]+\.value$/.test(field);
}

function fieldOf(node: WorkflowNode, field: string): string {
  switch (field) {
    case "displayName":
      return node.displayName;
    case "id":
      return node.id;
    case "name":
      return node.name;
    case "templateName":
      return node.templateName ?? "";
    case "phase":
      return node.phase;
    case "templateRef.name":
      return node.templateRef?.name ?? "";
    case "templateRef.template":
      return node.templateRef?.template ?? "";
    default:
      return node.parameters.get(field.slice("inputs.parameters.".length, -".value".length)) ?? "";
  }
}

/** The nodes a parsed selector picks, as Argo would pick them. */
export function selectNodes(nodes: readonly WorkflowNode[], terms: readonly Term[]): WorkflowNode[] {
  return nodes.filter((node) => terms.every((term) => (fieldOf(node, term.field) === term.value) === term.equals));
}

/** The template a node runs: its own template name, or the template of the WorkflowTemplate it refers to. */
export function templateOf(node: WorkflowNode): string | null {
  return node.templateName || node.templateRef?.template || null;
}
