import { Eta } from "eta/core";
import { compiledTemplates } from "../generated/templates";

/**
 * Renders the Eta templates under templates/, compiled at build time by
 * scripts/build-templates.mjs (workerd forbids compiling them at run time). Names are
 * `@<path under templates/ without .eta>`, e.g. `@approvals/default`.
 */
const eta = new Eta({ autoEscape: false, useWith: false, autoTrim: false });
for (const [name, template] of Object.entries(compiledTemplates)) eta.loadTemplate(name, template);

/** True when a compiled template of that name exists. */
export function hasTemplate(name: string): boolean {
  return Object.hasOwn(compiledTemplates, name);
}

/** Renders a compiled template with `data` as `it`. */
export function renderTemplate(name: string, data: object): string {
  return eta.render(name, data);
}

/** Names of every compiled template starting with `prefix`. */
export function templateNames(prefix: string): string[] {
  return Object.keys(compiledTemplates).filter((name) => name.startsWith(prefix));
}
