import { executeGoTemplate } from "./execute";
import { isTemplateFunction, unknownFunctionMessage } from "./functions";
import { type ParsedTemplate, parseGoTemplate } from "./parse";

export { goJson } from "./functions";
export type { ParsedTemplate } from "./parse";
export { TemplateSyntaxError } from "./parse";
export { GoFunction, GoInt, TemplateExecError } from "./values";

/**
 * Go text/template with the sprig functions Argo CD gives notification templates, interpreted
 * (workerd forbids generating code), so templates are data: stored, edited and live at once.
 */

/** Parses a template, checking its syntax and the functions it names; throws TemplateSyntaxError. */
export function compileGoTemplate(source: string): ParsedTemplate {
  return parseGoTemplate(source, isTemplateFunction, unknownFunctionMessage);
}

/** Renders a parsed template over `data`; throws TemplateExecError. */
export function renderGoTemplate(template: ParsedTemplate, data: unknown): string {
  return executeGoTemplate(template, data);
}
