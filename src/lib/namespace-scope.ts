/** The namespaces a question is about: every one (`*`), or these. */
export type NamespaceScope = "*" | readonly string[];

/** A principal's namespaces as a scope (`*` among them: every one). */
export function scopeOfNamespaces(namespaces: readonly string[]): NamespaceScope {
  return namespaces.includes("*") ? "*" : namespaces;
}

/** SQL restricting `column` to the scope, binding its value (if any) as parameter `?param`. */
export function namespaceCondition(
  scope: NamespaceScope,
  column: string,
  param: number,
): { sql: string; params: string[] } {
  if (scope === "*") return { sql: "1 = 1", params: [] };
  return { sql: `${column} IN (SELECT value FROM json_each(?${param}))`, params: [JSON.stringify(scope)] };
}
